using Hokusai.Keys.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Hokusai.Keys.Functions;

/// <summary>Verify, and the gateways' authorize and ext-authz.</summary>
public sealed class ValidationFunctions(ApiInvoker api)
{
    [Function("VerifyKey")]
    public async Task<IActionResult> VerifyKey([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.Verify)] HttpRequest request) =>
        await api.InvokeAsync(nameof(VerifyKey), request);

    [Function("Authorize")]
    public async Task<IActionResult> Authorize([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Authorize)] HttpRequest request) =>
        await api.InvokeAsync(nameof(Authorize), request);

    [Function("ExtAuthz")]
    public async Task<IActionResult> ExtAuthz(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", "get", "head", "options", "patch", "post", "put", Route = ApiRoutes.ExtAuthz)] HttpRequest request) =>
        await api.InvokeAsync(nameof(ExtAuthz), request);
}
