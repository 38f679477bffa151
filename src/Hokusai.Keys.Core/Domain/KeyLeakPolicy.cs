namespace Hokusai.Keys.Domain;

/// <summary>What a leak report does to a key: revoke it (the default), or only flag it and notify.</summary>
public enum KeyLeakPolicy
{
    Revoke,
    Notify,
}
