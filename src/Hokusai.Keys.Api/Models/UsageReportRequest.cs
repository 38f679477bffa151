namespace Hokusai.Keys.Api.Models;

/// <summary>
/// Body of <c>POST /api/usage/report</c>: a report's id (a GUID the reporter makes, the same on every retry) and the
/// uses it counts, per key and client address.
/// </summary>
public sealed class UsageReportRequest
{
    public string? Id { get; set; }
    public List<UsageReportRequestEntry>? Uses { get; set; }
}
