using Hokusai.Keys.Api.Http;
using Hokusai.Keys.Api.Models;
using Hokusai.Keys.Management;
using Microsoft.AspNetCore.Http;

namespace Hokusai.Keys.Api.Handlers;

/// <summary><c>GET /api/keys/{id}/usage</c>: the key's usage report (<see cref="UsageReportService"/>) as a response.</summary>
public sealed class UsageApi(UsageReportService reports)
{
    public async Task<ApiResult> GetUsageAsync(ApiCall call)
    {
        var query = call.Request.Query;
        var report = await reports.GetAsync(call.KeyId, Single(query, "from"), Single(query, "to"), Single(query, "granularity"), call.Authenticated, call.Aborted);
        var buckets = report.Buckets.Select(b => new UsageBucketResource(b.Start, b.Total, b.Allowed, b.Denied, b.Cost, b.DistinctAddresses)).ToList();
        return ApiResult.Json(StatusCodes.Status200OK, new KeyUsageResponse(report.KeyId, report.Granularity, buckets));
    }

    private static string? Single(IQueryCollection query, string name) => query.TryGetValue(name, out var values) ? values[0] : null;
}
