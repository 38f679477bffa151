using Hokusai.Keys.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Hokusai.Keys.Functions;

/// <summary>Key management routes; each function hands the request to its route in the shared table (by its own name).</summary>
public sealed class KeyFunctions(ApiInvoker api)
{
    [Function("CreateKey")]
    public async Task<IActionResult> CreateKey([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.Keys)] HttpRequest request) =>
        await api.InvokeAsync(nameof(CreateKey), request);

    [Function("ListKeys")]
    public async Task<IActionResult> ListKeys([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Keys)] HttpRequest request) =>
        await api.InvokeAsync(nameof(ListKeys), request);

    [Function("GetKey")]
    public async Task<IActionResult> GetKey([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Key)] HttpRequest request, string id) =>
        await api.InvokeAsync(nameof(GetKey), request, id);

    [Function("UpdateKey")]
    public async Task<IActionResult> UpdateKey([HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = ApiRoutes.Key)] HttpRequest request, string id) =>
        await api.InvokeAsync(nameof(UpdateKey), request, id);

    [Function("RevokeKey")]
    public async Task<IActionResult> RevokeKey([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.RevokeKey)] HttpRequest request, string id) =>
        await api.InvokeAsync(nameof(RevokeKey), request, id);

    [Function("SuspendKey")]
    public async Task<IActionResult> SuspendKey([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.SuspendKey)] HttpRequest request, string id) =>
        await api.InvokeAsync(nameof(SuspendKey), request, id);

    [Function("ResumeKey")]
    public async Task<IActionResult> ResumeKey([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.ResumeKey)] HttpRequest request, string id) =>
        await api.InvokeAsync(nameof(ResumeKey), request, id);

    [Function("RotateKey")]
    public async Task<IActionResult> RotateKey([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.RotateKey)] HttpRequest request, string id) =>
        await api.InvokeAsync(nameof(RotateKey), request, id);

    [Function("ListKeyChanges")]
    public async Task<IActionResult> ListKeyChanges([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.KeyChanges)] HttpRequest request) =>
        await api.InvokeAsync(nameof(ListKeyChanges), request);

    [Function("ListKeyEvents")]
    public async Task<IActionResult> ListKeyEvents([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.KeyEvents)] HttpRequest request, string id) =>
        await api.InvokeAsync(nameof(ListKeyEvents), request, id);
}
