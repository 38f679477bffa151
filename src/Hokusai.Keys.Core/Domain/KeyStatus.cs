namespace Hokusai.Keys.Domain;

public enum KeyStatus
{
    Active,
    Revoked,
    Expired,
}
