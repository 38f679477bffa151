using System.Globalization;
using Hokusai.Keys.Api.Http;
using Hokusai.Keys.Api.Models;
using Hokusai.Keys.Management;
using Hokusai.Keys.Storage;
using Microsoft.AspNetCore.Http;

namespace Hokusai.Keys.Api.Handlers;

/// <summary>The key-management routes. Each method is the one implementation both hosts call.</summary>
public sealed class KeysApi(ManagementAuthenticator auth, KeyManagementService keys, IKeyStore store, TimeProvider time, ApiErrorBoundary boundary)
{
    public const int MaxEventPageSize = 100;

    public Task<ApiResult> CreateKeyAsync(HttpRequest request) => boundary.RunAsync(request, async ct =>
    {
        var (caller, problem) = await auth.AuthenticateAsync(request, Access.Write);
        if (problem is not null) return problem;
        var body = await RequestBody.ReadAsync<CreateKeyRequest>(request, required: true, ct);
        if (body.Problem is not null) return body.Problem;

        var created = await keys.CreateAsync(body.Value!, caller!, ct);
        var resource = KeyResource.From(created.Record, time.GetUtcNow()) with { Key = created.Key.Plaintext };
        return ApiResult.Json(StatusCodes.Status201Created, resource)
            .WithHeader("Location", $"/api/keys/{created.Record.Id}")
            .WithHeader("Cache-Control", "no-store");
    });

    public Task<ApiResult> ListKeysAsync(HttpRequest request) => boundary.RunAsync(request, async ct =>
    {
        var (caller, problem) = await auth.AuthenticateAsync(request, Access.Read);
        if (problem is not null) return problem;
        var query = request.Query;
        int? limit = null;
        if (query.TryGetValue("limit", out var limitText))
        {
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                return Problems.Invalid("limit", $"must be 1–{KeyManagementService.MaxPageSize}");
            limit = parsed;
        }
        var page = await keys.ListAsync(Single(query, "owner"), Single(query, "status"), limit, Single(query, "cursor"), caller!, ct);
        var now = time.GetUtcNow();
        return ApiResult.Json(StatusCodes.Status200OK, new KeyListResponse(page.Items.Select(k => KeyResource.From(k, now)).ToList(), page.NextCursor));
    });

    public Task<ApiResult> GetKeyAsync(HttpRequest request, string id) => boundary.RunAsync(request, async ct =>
    {
        var (caller, problem) = await auth.AuthenticateAsync(request, Access.Read);
        if (problem is not null) return problem;
        var record = await keys.GetAsync(id, caller!, ct);
        return ApiResult.Json(StatusCodes.Status200OK, KeyResource.From(record, time.GetUtcNow()));
    });

    public Task<ApiResult> UpdateKeyAsync(HttpRequest request, string id) => boundary.RunAsync(request, async ct =>
    {
        var (caller, problem) = await auth.AuthenticateAsync(request, Access.Write);
        if (problem is not null) return problem;
        var body = await RequestBody.ReadAsync<UpdateKeyRequest>(request, required: true, ct);
        if (body.Problem is not null) return body.Problem;
        var record = await keys.UpdateAsync(id, body.Value!, caller!, ct);
        return ApiResult.Json(StatusCodes.Status200OK, KeyResource.From(record, time.GetUtcNow()));
    });

    public Task<ApiResult> RevokeKeyAsync(HttpRequest request, string id) => boundary.RunAsync(request, async ct =>
    {
        var (caller, problem) = await auth.AuthenticateAsync(request, Access.Write);
        if (problem is not null) return problem;
        var record = await keys.RevokeAsync(id, caller!, ct);
        return ApiResult.Json(StatusCodes.Status200OK, KeyResource.From(record, time.GetUtcNow()));
    });

    public Task<ApiResult> RotateKeyAsync(HttpRequest request, string id) => boundary.RunAsync(request, async ct =>
    {
        var (caller, problem) = await auth.AuthenticateAsync(request, Access.Write);
        if (problem is not null) return problem;
        var body = await RequestBody.ReadAsync<RotateKeyRequest>(request, required: false, ct);
        if (body.Problem is not null) return body.Problem;
        var rotated = await keys.RotateAsync(id, body.Value ?? new RotateKeyRequest(), caller!, ct);
        var now = time.GetUtcNow();
        var response = new RotateKeyResponse(KeyResource.From(rotated.Record, now) with { Key = rotated.Key.Plaintext }, KeyResource.From(rotated.Previous, now));
        return ApiResult.Json(StatusCodes.Status201Created, response)
            .WithHeader("Location", $"/api/keys/{rotated.Record.Id}")
            .WithHeader("Cache-Control", "no-store");
    });

    public Task<ApiResult> ListKeyEventsAsync(HttpRequest request, string id) => boundary.RunAsync(request, async ct =>
    {
        var (caller, problem) = await auth.AuthenticateAsync(request, Access.Read);
        if (problem is not null) return problem;
        await keys.GetAsync(id, caller!, ct); // visibility: another owner's key is 404
        var limit = 50;
        if (request.Query.TryGetValue("limit", out var limitText)
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxEventPageSize))
            return Problems.Invalid("limit", $"must be 1–{MaxEventPageSize}");
        var cursorText = Single(request.Query, "cursor");
        if (!KeyListCursor.TryDecode(cursorText, out var position))
            return Problems.Invalid("cursor", "is not a cursor this API returned");
        var (items, next) = await store.ListEventsAsync(id, position, limit, ct);
        return ApiResult.Json(StatusCodes.Status200OK,
            new KeyEventListResponse(items.Select(KeyEventResource.From).ToList(), next is null ? null : KeyListCursor.Encode(next)));
    });

    private static string? Single(IQueryCollection query, string name) => query.TryGetValue(name, out var values) ? values[0] : null;
}
