using Hokusai.Keys.Api.Http;
using Hokusai.Keys.Api.Models;
using Hokusai.Keys.Management;
using Microsoft.AspNetCore.Http;

namespace Hokusai.Keys.Api.Handlers;

/// <summary><c>POST /api/usage/report</c>: uses a service answered from its own cache (<see cref="UsageReportIntake"/> holds the rules).</summary>
public sealed class UsageReportsApi(UsageReportIntake intake)
{
    public async Task<ApiResult> ReportAsync(ApiCall call)
    {
        var body = await RequestBody.ReadAsync<UsageReportRequest>(call.Request, required: true, call.Aborted);
        if (body.Problem is not null) return body.Problem;
        var report = body.Value!;
        if (report.Uses is { } uses && uses.Any(u => u is null)) return Problems.Invalid("uses", "entries must be objects");
        var lines = report.Uses?.Select(u => new UsageReportLine(u.KeyId, u.ClientIp, u.Count)).ToList();
        var receipt = await intake.AcceptAsync(call.Authenticated, report.Id, lines, call.Aborted);
        return ApiResult.Json(StatusCodes.Status202Accepted, new UsageReportResponse(receipt.Id.ToString("D"), receipt.Keys, receipt.Uses, receipt.SkippedKeys));
    }
}
