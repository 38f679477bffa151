namespace Hokusai.Keys.Domain;

public static class KeyEventTypes
{
    public const string Created = "key.created";
    public const string Updated = "key.updated";
    public const string Rotated = "key.rotated";
    public const string Revoked = "key.revoked";
    public const string Leaked = "key.leaked";
    public const string Expired = "key.expired";
    public const string Expiring = "key.expiring";
    public const string QuotaThreshold = "key.quota_threshold";
    public const string Suspended = "key.suspended";
    public const string Resumed = "key.resumed";
    public const string RotationDue = "key.rotation_due";
}
