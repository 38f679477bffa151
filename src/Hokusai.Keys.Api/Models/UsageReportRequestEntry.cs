namespace Hokusai.Keys.Api.Models;

/// <summary>One entry of a usage report: <c>count</c> valid uses of key <c>keyId</c> from <c>clientIp</c> (absent when unknown).</summary>
public sealed class UsageReportRequestEntry
{
    public string? KeyId { get; set; }
    public string? ClientIp { get; set; }
    public long? Count { get; set; }
}
