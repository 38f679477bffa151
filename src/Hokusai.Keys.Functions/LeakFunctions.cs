using Hokusai.Keys.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Hokusai.Keys.Functions;

/// <summary>Leak reports: GitHub's secret scanning partner endpoint and our own report-leak route.</summary>
public sealed class LeakFunctions(ApiInvoker api)
{
    [Function("ReportLeak")]
    public async Task<IActionResult> ReportLeak([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.ReportLeak)] HttpRequest request) =>
        await api.InvokeAsync(nameof(ReportLeak), request);

    [Function("GitHubLeakReport")]
    public async Task<IActionResult> GitHubLeakReport([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.GitHubLeaks)] HttpRequest request) =>
        await api.InvokeAsync(nameof(GitHubLeakReport), request);
}
