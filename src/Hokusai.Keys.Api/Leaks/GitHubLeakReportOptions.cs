namespace Hokusai.Keys.Api.Leaks;

/// <summary>Settings section <c>Hokusai:LeakReports:GitHub</c>: whose signatures <c>POST /api/leaks/github</c> accepts.</summary>
public sealed class GitHubLeakReportOptions
{
    public const string SectionName = "Hokusai:LeakReports:GitHub";

    /// <summary>GitHub's URL of its secret scanning public keys.</summary>
    public const string GitHubKeysUrl = "https://api.github.com/meta/public_keys/secret_scanning";

    /// <summary>Signing keys given directly (tests, or pinning a key); each an identifier and a PEM public key.</summary>
    [NotRequiredInAzure("Azure reads GitHub's published key list from KeysUrl; pinned keys are optional.")]
    public List<GitHubPublicKeyOption> PublicKeys { get; set; } = [];

    /// <summary>
    /// GitHub's published key list (<see cref="GitHubKeysUrl"/>), fetched on first use and cached; empty: only
    /// <see cref="PublicKeys"/>. An unknown identifier triggers one refresh, at most one per <see cref="MinRefreshSeconds"/>.
    /// </summary>
    public string? KeysUrl { get; set; }

    [NotRequiredInAzure("The default suits GitHub's key rotation; a tuning knob.")]
    public int MinRefreshSeconds { get; set; } = 60;

    /// <summary>How long a fetched list is trusted before it is fetched again (a key GitHub withdrew stops verifying then).</summary>
    [NotRequiredInAzure("The default suits GitHub's key rotation; a tuning knob.")]
    public int CacheSeconds { get; set; } = 3600;
}
