namespace Hokusai.Keys.Security;

/// <summary>Settings section <c>Hokusai:Security</c> (env: <c>Hokusai__Security__…</c>).</summary>
public sealed class SecurityOptions
{
    public const string SectionName = "Hokusai:Security";

    /// <summary>bcrypt work factor for new hashes (4–16). 11 costs ~130 ms here; tests use 4.</summary>
    public int BcryptWorkFactor { get; set; } = 11;

    /// <summary>
    /// Server-side secret for the cache digest (HMAC-SHA256 of a verified secret). At least 32 characters.
    /// Empty: a random per-process pepper is used (correct, but instances cannot share verified digests).
    /// </summary>
    public string? CachePepper { get; set; }

    /// <summary>The pepper being rotated out (docs/deploy.md): changes also invalidate entries made with it.</summary>
    [NotRequiredInAzure("Set only while a pepper rotation is under way.")]
    public string? PreviousCachePepper { get; set; }
}
