using Hokusai.Keys.Api;
using Hokusai.Keys.Api.Handlers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Hokusai.Keys.Functions;

/// <summary>Key management routes; each function only hands the request to the shared handler.</summary>
public sealed class KeyFunctions(KeysApi keys)
{
    [Function("CreateKey")]
    public async Task<IActionResult> CreateKey([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.Keys)] HttpRequest request) =>
        await keys.CreateKeyAsync(request);

    [Function("ListKeys")]
    public async Task<IActionResult> ListKeys([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Keys)] HttpRequest request) =>
        await keys.ListKeysAsync(request);

    [Function("GetKey")]
    public async Task<IActionResult> GetKey([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.Key)] HttpRequest request, string id) =>
        await keys.GetKeyAsync(request, id);

    [Function("UpdateKey")]
    public async Task<IActionResult> UpdateKey([HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = ApiRoutes.Key)] HttpRequest request, string id) =>
        await keys.UpdateKeyAsync(request, id);

    [Function("RevokeKey")]
    public async Task<IActionResult> RevokeKey([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.RevokeKey)] HttpRequest request, string id) =>
        await keys.RevokeKeyAsync(request, id);

    [Function("RotateKey")]
    public async Task<IActionResult> RotateKey([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.RotateKey)] HttpRequest request, string id) =>
        await keys.RotateKeyAsync(request, id);

    [Function("ListKeyEvents")]
    public async Task<IActionResult> ListKeyEvents([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.KeyEvents)] HttpRequest request, string id) =>
        await keys.ListKeyEventsAsync(request, id);
}
