namespace Hokusai.Keys.Management;

/// <summary>What a leak report did to a key.</summary>
public enum LeakOutcome
{
    /// <summary>The key was active and is now revoked.</summary>
    Revoked,

    /// <summary>The key opted out of revocation: it is now flagged and keeps working.</summary>
    Flagged,

    /// <summary>The key opted out and was flagged by an earlier report: nothing changed.</summary>
    AlreadyFlagged,

    /// <summary>The key was already revoked or expired: nothing changed.</summary>
    NotActive,
}
