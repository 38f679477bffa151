namespace Hokusai.Keys.Keys;

public enum KeyStatus
{
    Active,
    Revoked,
    Expired,
}
