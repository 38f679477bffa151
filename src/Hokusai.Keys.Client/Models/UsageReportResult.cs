namespace Hokusai.Keys.Client.Models;

/// <summary>The answer to a usage report: taken for aggregation (a retry with the same id answers the same and counts once).</summary>
public sealed class UsageReportResult
{
    /// <summary>The report's id.</summary>
    public string Id { get; init; } = "";

    /// <summary>Distinct keys the report counted.</summary>
    public int Keys { get; init; }

    /// <summary>Uses the report counted.</summary>
    public long Uses { get; init; }

    /// <summary>Distinct keys the report skipped: unknown, or not the service key's to report (another owner's, the other environment's, an admin key).</summary>
    public int SkippedKeys { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"UsageReportResult {Id} ({Keys} keys, {Uses} uses, {SkippedKeys} keys skipped)";
}
