namespace Hokusai.Keys.Domain;

public enum KeyStatus
{
    Active,
    Revoked,
    Expired,
    /// <summary>Refused until resumed; revoked and expired outrank it, being final.</summary>
    Suspended,
}
