namespace Hokusai.Keys.Api.Models;

/// <summary>
/// Answer of <c>POST /api/usage/report</c> (202): the report's id, its distinct keys and uses. Taken for aggregation; a
/// retry with the same id answers the same and is applied once.
/// </summary>
public sealed record UsageReportResponse(string Id, int Keys, long Uses);
