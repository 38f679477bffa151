namespace Hokusai.Keys.Domain;

public static class KeyStatusNames
{
    public const string Active = "active";
    public const string Revoked = "revoked";
    public const string Expired = "expired";
    public const string Suspended = "suspended";

    public static string ToWire(this KeyStatus status) => status switch
    {
        KeyStatus.Revoked => Revoked,
        KeyStatus.Expired => Expired,
        KeyStatus.Suspended => Suspended,
        _ => Active,
    };

    public static bool TryParse(string? value, out KeyStatus status)
    {
        switch (value)
        {
            case Active: status = KeyStatus.Active; return true;
            case Revoked: status = KeyStatus.Revoked; return true;
            case Expired: status = KeyStatus.Expired; return true;
            case Suspended: status = KeyStatus.Suspended; return true;
            default: status = default; return false;
        }
    }
}
