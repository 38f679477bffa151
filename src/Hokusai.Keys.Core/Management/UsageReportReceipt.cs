namespace Hokusai.Keys.Management;

/// <summary>A usage report taken: its id, the distinct keys and uses it counted, and the distinct keys it skipped (not the caller's to report).</summary>
public sealed record UsageReportReceipt(Guid Id, int Keys, long Uses, int SkippedKeys);
