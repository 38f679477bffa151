namespace Hokusai.Keys.Client.Models;

/// <summary>
/// <see cref="Count"/> valid uses of key <see cref="KeyId"/> from <see cref="ClientIp"/> that a service answered from its
/// own cache (see <see cref="HokusaiKeysClient.ReportUsageAsync"/>).
/// </summary>
/// <param name="KeyId">The key's public id (never the key).</param>
/// <param name="ClientIp">The client's address as the service saw it; null when unknown.</param>
/// <param name="Count">Uses, 1–<see cref="MaxCount"/>.</param>
public sealed record UsageReportEntry(string KeyId, string? ClientIp, long Count)
{
    /// <summary>The most uses one entry may count (the server refuses more with 400).</summary>
    public const int MaxCount = 100_000;

    /// <summary>The most entries one report may hold.</summary>
    public const int MaxEntries = 500;

    /// <summary>The most uses one report may count in all.</summary>
    public const int MaxUsesPerReport = 100_000;
}
