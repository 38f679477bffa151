namespace Hokusai.Keys.Api.Models;

/// <summary>Body of <c>POST /api/keys/report-leak</c>: the leaked key itself (the proof) and where it was found.</summary>
public sealed class ReportLeakRequest
{
    public string? Key { get; set; }
    public string? Url { get; set; }
}
