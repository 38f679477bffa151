namespace Hokusai.Keys.Domain;

public static class KeyEnvironmentNames
{
    public const string Live = "live";
    public const string Test = "test";

    public static string ToWire(this KeyEnvironment environment) => environment == KeyEnvironment.Test ? Test : Live;

    public static bool TryParse(string? value, out KeyEnvironment environment)
    {
        switch (value)
        {
            case Live: environment = KeyEnvironment.Live; return true;
            case Test: environment = KeyEnvironment.Test; return true;
            default: environment = default; return false;
        }
    }
}
