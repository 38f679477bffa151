namespace Hokusai.Keys.Security;

/// <summary>Settings section <c>Hokusai:Security</c> (env: <c>Hokusai__Security__…</c>).</summary>
public sealed class SecurityOptions
{
    public const string SectionName = "Hokusai:Security";

    /// <summary>bcrypt work factor for new hashes (4–16); each step doubles the cost. Tests use 4.</summary>
    public int BcryptWorkFactor { get; set; } = 11;

    /// <summary>bcrypt verifications run at once, on dedicated threads (0: half the processors, at least one), so a flood of them cannot take every core or the thread pool.</summary>
    [NotRequiredInAzure("A tuning constant; the default suits Azure.")]
    public int BcryptConcurrency { get; set; }

    /// <summary>bcrypt verifications that may wait for a thread; past this, a key the cache cannot vouch for gets 503 VERIFICATION_BUSY.</summary>
    [NotRequiredInAzure("A tuning constant; the default suits Azure.")]
    public int BcryptQueueLength { get; set; } = 64;

    /// <summary>
    /// Server-side secret for the cache digest (HMAC-SHA256 of a verified secret) and the shared cache entries' MAC.
    /// At least 32 characters. Empty: a random per-process pepper is used by the standalone server (correct, but
    /// instances cannot share cached keys); the Functions host refuses to start without one (docs/security.md).
    /// </summary>
    public string? CachePepper { get; set; }
}
