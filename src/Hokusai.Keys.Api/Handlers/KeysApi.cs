using System.Globalization;
using Hokusai.Keys.Api.Http;
using Hokusai.Keys.Api.Models;
using Hokusai.Keys.Management;
using Microsoft.AspNetCore.Http;

namespace Hokusai.Keys.Api.Handlers;

/// <summary>
/// The key-management routes: each method turns one authenticated request into a call of
/// <see cref="KeyManagementService"/> and its answer into a response. <see cref="ApiInvoker"/> authenticates first.
/// </summary>
public sealed class KeysApi(KeyManagementService keys, TimeProvider time, KeyAgePolicy agePolicy)
{
    public async Task<ApiResult> CreateKeyAsync(ApiCall call)
    {
        var body = await RequestBody.ReadAsync<CreateKeyRequest>(call.Request, required: true, call.Aborted);
        if (body.Problem is not null) return body.Problem;

        var created = await keys.CreateAsync(body.Value!, call.Authenticated, call.Aborted);
        var resource = KeyResource.From(created.Record, time.GetUtcNow(), agePolicy) with { Key = created.Key.Plaintext };
        return ApiResult.Json(StatusCodes.Status201Created, resource)
            .WithHeader("Location", $"/api/keys/{created.Record.Id}")
            .WithHeader("Cache-Control", "no-store");
    }

    public async Task<ApiResult> ListKeysAsync(ApiCall call)
    {
        var query = call.Request.Query;
        if (!TryParseLimit(query, KeyManagementService.MaxPageSize, out var limit)) return Problems.Invalid("limit", $"must be 1–{KeyManagementService.MaxPageSize}");
        var page = await keys.ListAsync(Single(query, "owner"), Single(query, "status"), limit, Single(query, "cursor"), call.Authenticated, call.Aborted);
        var now = time.GetUtcNow();
        return ApiResult.Json(StatusCodes.Status200OK, new KeyListResponse(page.Items.Select(k => KeyResource.From(k, now, agePolicy)).ToList(), page.NextCursor));
    }

    public async Task<ApiResult> GetKeyAsync(ApiCall call)
    {
        var record = await keys.GetAsync(call.KeyId, call.Authenticated, call.Aborted);
        return ApiResult.Json(StatusCodes.Status200OK, KeyResource.From(record, time.GetUtcNow(), agePolicy));
    }

    public async Task<ApiResult> UpdateKeyAsync(ApiCall call)
    {
        var body = await RequestBody.ReadAsync<UpdateKeyRequest>(call.Request, required: true, call.Aborted);
        if (body.Problem is not null) return body.Problem;
        var record = await keys.UpdateAsync(call.KeyId, body.Value!, call.Authenticated, call.Aborted);
        return ApiResult.Json(StatusCodes.Status200OK, KeyResource.From(record, time.GetUtcNow(), agePolicy));
    }

    public async Task<ApiResult> RevokeKeyAsync(ApiCall call)
    {
        var record = await keys.RevokeAsync(call.KeyId, call.Authenticated, call.Aborted);
        return ApiResult.Json(StatusCodes.Status200OK, KeyResource.From(record, time.GetUtcNow(), agePolicy));
    }

    public async Task<ApiResult> SuspendKeyAsync(ApiCall call)
    {
        var record = await keys.SuspendAsync(call.KeyId, call.Authenticated, call.Aborted);
        return ApiResult.Json(StatusCodes.Status200OK, KeyResource.From(record, time.GetUtcNow(), agePolicy));
    }

    public async Task<ApiResult> ResumeKeyAsync(ApiCall call)
    {
        var record = await keys.ResumeAsync(call.KeyId, call.Authenticated, call.Aborted);
        return ApiResult.Json(StatusCodes.Status200OK, KeyResource.From(record, time.GetUtcNow(), agePolicy));
    }

    public async Task<ApiResult> RotateKeyAsync(ApiCall call)
    {
        var body = await RequestBody.ReadAsync<RotateKeyRequest>(call.Request, required: false, call.Aborted);
        if (body.Problem is not null) return body.Problem;
        var rotated = await keys.RotateAsync(call.KeyId, body.Value ?? new RotateKeyRequest(), call.Authenticated, call.Aborted);
        var now = time.GetUtcNow();
        var response = new RotateKeyResponse(KeyResource.From(rotated.Record, now, agePolicy) with { Key = rotated.Key.Plaintext }, KeyResource.From(rotated.Previous, now, agePolicy));
        return ApiResult.Json(StatusCodes.Status201Created, response)
            .WithHeader("Location", $"/api/keys/{rotated.Record.Id}")
            .WithHeader("Cache-Control", "no-store");
    }

    public async Task<ApiResult> ListKeyEventsAsync(ApiCall call)
    {
        var query = call.Request.Query;
        if (!TryParseLimit(query, KeyManagementService.MaxEventPageSize, out var limit))
            return Problems.Invalid("limit", $"must be 1–{KeyManagementService.MaxEventPageSize}");
        var page = await keys.ListEventsAsync(call.KeyId, limit, Single(query, "cursor"), call.Authenticated, call.Aborted);
        return ApiResult.Json(StatusCodes.Status200OK, new KeyEventListResponse(page.Items.Select(KeyEventResource.From).ToList(), page.NextCursor));
    }

    private static bool TryParseLimit(IQueryCollection query, int max, out int? limit)
    {
        limit = null;
        if (!query.TryGetValue("limit", out var text)) return true;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)) return false;
        limit = parsed;
        return parsed <= max;
    }

    private static string? Single(IQueryCollection query, string name) => query.TryGetValue(name, out var values) ? values[0] : null;
}
