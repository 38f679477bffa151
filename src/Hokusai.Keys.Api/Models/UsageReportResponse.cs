namespace Hokusai.Keys.Api.Models;

/// <summary>
/// Answer of <c>POST /api/usage/report</c> (202): the report's id, the distinct keys and uses it counted, and the
/// distinct keys it skipped (unknown, or not the caller's to report). Taken for aggregation; a retry with the same id
/// answers the same and is applied once.
/// </summary>
public sealed record UsageReportResponse(string Id, int Keys, long Uses, int SkippedKeys);
