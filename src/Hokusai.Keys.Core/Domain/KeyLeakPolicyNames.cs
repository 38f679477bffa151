namespace Hokusai.Keys.Domain;

public static class KeyLeakPolicyNames
{
    public const string Revoke = "revoke";
    public const string Notify = "notify";

    public static string ToWire(this KeyLeakPolicy policy) => policy == KeyLeakPolicy.Notify ? Notify : Revoke;

    public static bool TryParse(string? value, out KeyLeakPolicy policy)
    {
        switch (value)
        {
            case Revoke: policy = KeyLeakPolicy.Revoke; return true;
            case Notify: policy = KeyLeakPolicy.Notify; return true;
            default: policy = default; return false;
        }
    }
}
