namespace Hokusai.Keys.Management;

/// <summary>A usage report taken: its id, how many distinct keys and uses it held.</summary>
public sealed record UsageReportReceipt(Guid Id, int Keys, long Uses);
