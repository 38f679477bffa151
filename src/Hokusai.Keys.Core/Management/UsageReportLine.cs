namespace Hokusai.Keys.Management;

/// <summary>One entry of a usage report as received: uses of a key from one client address (none when unknown).</summary>
public sealed record UsageReportLine(string? KeyId, string? ClientIp, long? Count);
