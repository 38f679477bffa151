using System.Collections.Frozen;
using System.Text.Json.Nodes;
using Hokusai.Keys.Api.Handlers;
using Hokusai.Keys.Api.Http;
using Hokusai.Keys.Api.Models;
using Hokusai.Keys.Api.OpenApi;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Management;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Hokusai.Keys.Api;

/// <summary>
/// The route table: every route is declared here once. The server maps it; the Functions app's attributes repeat each
/// route's method and template (attributes must be constants) and call <see cref="ApiInvoker"/> by name; tests hold
/// the two to the same routes and the same authentication.
/// </summary>
public static class ApiEndpoints
{
    private const string Json = "application/json";
    private const string ProblemJson = "application/problem+json";

    public static IReadOnlyList<ApiEndpoint> All { get; } =
    [
        new("CreateKey", "POST", ApiRoutes.Keys, Access.Write, (sp, call) => Keys(sp).CreateKeyAsync(call),
            b => Management(b, "Create a key; the response holds the plaintext key, shown only this once.")
                .Produces<KeyResource>(201, Json).Produces<ProblemResponse>(400, ProblemJson)
                .Document((op, _) => op.CreatedKeyHeaders(201).RequestExample(ApiExamples.CreateRequest).Example(201, ApiExamples.CreatedKey)
                    .Example(400, ApiExamples.ValidationProblem)),
            typeof(CreateKeyRequest)),
        new("ListKeys", "GET", ApiRoutes.Keys, Access.Read, (sp, call) => Keys(sp).ListKeysAsync(call),
            b => Management(b, "List keys newest first. A page may hold fewer items than `limit` (even none) and still have a `nextCursor`: follow it until it is absent.")
                .Produces<KeyListResponse>(200, Json).Produces<ProblemResponse>(400, ProblemJson)
                .Document((op, d) => op.Parameters(
                        ApiOperationDocs.Query("owner", ApiSchemaRules.Owner(), "Only this owner's keys (another owner's: admins only). Admins without it see every owner."),
                        ApiOperationDocs.Query("status", ApiSchemaRules.Reference(d, ApiSchemaRules.KeyStatusSchema), "Only keys with this status."),
                        ApiOperationDocs.Limit(KeyManagementService.MaxPageSize), ApiOperationDocs.Cursor())
                    .Example(200, ApiExamples.KeyList))),
        new("GetKey", "GET", ApiRoutes.Key, Access.Read, (sp, call) => Keys(sp).GetKeyAsync(call),
            b => Management(b, "Get one key.").Produces<KeyResource>(200, Json).Produces<ProblemResponse>(404, ProblemJson)
                .Document((op, _) => op.KeyIdPath().Example(200, ApiExamples.Key)
                    .Example(404, ApiExamples.Problem(ErrorCodes.KeyNotFound, "No key with this id.")))),
        new("UpdateKey", "PATCH", ApiRoutes.Key, Access.Write, (sp, call) => Keys(sp).UpdateKeyAsync(call),
            b => Management(b, "Change name, scopes, rateLimit, quota, allowedIps, expiresAt or metadata (merge-patch: absent fields stay, null clears).")
                .Produces<KeyResource>(200, Json).Produces<ProblemResponse>(400, ProblemJson)
                .Produces<ProblemResponse>(404, ProblemJson).Produces<ProblemResponse>(409, ProblemJson)
                .Document((op, _) => op.KeyIdPath().RequestExample(ApiExamples.UpdateRequest).Example(200, ApiExamples.Key)
                    .Example(409, ApiExamples.Problem(ErrorCodes.KeyRevoked, "The key is revoked."))),
            typeof(UpdateKeyRequest), BodyMediaTypes: [JsonMediaType.Json, JsonMediaType.MergePatch]),
        new("RevokeKey", "POST", ApiRoutes.RevokeKey, Access.Write, (sp, call) => Keys(sp).RevokeKeyAsync(call),
            b => Management(b, "Revoke a key (idempotent). Every instance refuses it within a second.")
                .Produces<KeyResource>(200, Json).Produces<ProblemResponse>(404, ProblemJson).Produces<ProblemResponse>(409, ProblemJson)
                .Document((op, _) => op.KeyIdPath().Example(200, ApiExamples.Revoked))),
        new("SuspendKey", "POST", ApiRoutes.SuspendKey, Access.Write, (sp, call) => Keys(sp).SuspendKeyAsync(call),
            b => Management(b, "Suspend a key (idempotent): it answers SUSPENDED (401 on authorize) on every instance within a second, keeps its quota and history, and can be resumed. A revoked or expired key cannot be suspended.")
                .Produces<KeyResource>(200, Json).Produces<ProblemResponse>(404, ProblemJson).Produces<ProblemResponse>(409, ProblemJson)
                .Document((op, _) => op.KeyIdPath().Example(200, ApiExamples.Suspended)
                    .Example(409, ApiExamples.Problem(ErrorCodes.KeyRevoked, "The key is revoked.")))),
        new("ResumeKey", "POST", ApiRoutes.ResumeKey, Access.Write, (sp, call) => Keys(sp).ResumeKeyAsync(call),
            b => Management(b, "Resume a suspended key (idempotent): it validates again on every instance within a second. Revocation is final: a revoked key answers 409.")
                .Produces<KeyResource>(200, Json).Produces<ProblemResponse>(404, ProblemJson).Produces<ProblemResponse>(409, ProblemJson)
                .Document((op, _) => op.KeyIdPath().Example(200, ApiExamples.Key)
                    .Example(409, ApiExamples.Problem(ErrorCodes.KeyRevoked, "The key is revoked.")))),
        new("RotateKey", "POST", ApiRoutes.RotateKey, Access.Write, (sp, call) => Keys(sp).RotateKeyAsync(call),
            b => Management(b, "Replace a key by a new one; the old one keeps working for gracePeriodSeconds (default 86400; 0 revokes it now).")
                .Produces<RotateKeyResponse>(201, Json).Produces<ProblemResponse>(400, ProblemJson)
                .Produces<ProblemResponse>(404, ProblemJson).Produces<ProblemResponse>(409, ProblemJson)
                .Document((op, _) => op.KeyIdPath().CreatedKeyHeaders(201).RequestExample(ApiExamples.RotateRequest).Example(201, ApiExamples.Rotated)
                    .Example(409, ApiExamples.Problem(ErrorCodes.KeyAlreadyRotated, "The key was already rotated."))),
            typeof(RotateKeyRequest), BodyRequired: false),
        new("ListKeyEvents", "GET", ApiRoutes.KeyEvents, Access.Read, (sp, call) => Keys(sp).ListKeyEventsAsync(call),
            b => Management(b, "The key's audit trail, newest first.")
                .Produces<KeyEventListResponse>(200, Json).Produces<ProblemResponse>(400, ProblemJson).Produces<ProblemResponse>(404, ProblemJson)
                .Document((op, _) => op.KeyIdPath().Parameters(ApiOperationDocs.Limit(KeyManagementService.MaxEventPageSize), ApiOperationDocs.Cursor())
                    .Example(200, ApiExamples.Events))),
        new("GetKeyUsage", "GET", ApiRoutes.KeyUsage, Access.Read, (sp, call) => sp.GetRequiredService<UsageApi>().GetUsageAsync(call),
            b => Management(b, "Verifications of the key per hour or day, oldest first, empty buckets included. "
                    + $"At most {UsageReportService.MaxBuckets} buckets.")
                .Produces<KeyUsageResponse>(200, Json).Produces<ProblemResponse>(400, ProblemJson).Produces<ProblemResponse>(404, ProblemJson)
                .Document((op, d) => op.KeyIdPath().Parameters(
                        ApiOperationDocs.Query("from", DateTime(), "Start (ISO 8601; UTC when it names no offset). Default: 24 hours (hour) or 7 days (day) before `to`."),
                        ApiOperationDocs.Query("to", DateTime(), "End (ISO 8601). Default: now."),
                        ApiOperationDocs.Query("granularity", ApiSchemaRules.Reference(d, ApiSchemaRules.GranularitySchema),
                            "Bucket size. Default: hour, or day when the range exceeds 2 days."))
                    .Example(200, ApiExamples.Usage))),
        new("ReportUsage", "POST", ApiRoutes.UsageReport, Access.ReportUsage, (sp, call) => sp.GetRequiredService<UsageReportsApi>().ReportAsync(call),
            b => b.WithTags("Usage").WithSummary("Report the valid uses a service answered from its own cache (the ASP.NET Core handler does, with a "
                    + "ServiceKey): counted like the platform's own verifications (usage, lastUsedAt). Needs scope usage:report, keys:watch or admin; "
                    + $"uses of keys the caller could not see (or that do not exist) are skipped and counted in skippedKeys. At most {UsageReportIntake.MaxEntries} entries, "
                    + $"{UsageReportIntake.MaxUsesPerReport} uses; a retry with the same id is applied once.")
                .Produces<UsageReportResponse>(202, Json).Produces<ProblemResponse>(400, ProblemJson)
                .Produces<ProblemResponse>(401, ProblemJson).Produces<ProblemResponse>(403, ProblemJson)
                .Produces<ProblemResponse>(429, ProblemJson).Produces<ProblemResponse>(503, ProblemJson)
                .Document((op, _) => op.RequestExample(ApiExamples.UsageReportRequest).Example(202, ApiExamples.UsageReportAccepted)
                    .Example(401, ApiExamples.Problem(ErrorCodes.Unauthenticated, "Send an API key in 'Authorization: Bearer …' or 'X-API-Key'."))),
            typeof(UsageReportRequest)),
        new("ListKeyChanges", "GET", ApiRoutes.KeyChanges, Access.Watch, (sp, call) => sp.GetRequiredService<KeyChangesApi>().ListChangesAsync(call),
            b => Management(b, "The change feed edges follow to evict cached validation answers (scope `keys:watch` or `admin`): the ids of keys whose validation "
                    + "outcome may have changed since `cursor` (revoked, rotated, patched, leaked, expired, …), oldest first, and the cursor to ask with next. "
                    + "A long-poll: answers as soon as there is a change, else after `wait` seconds with none. Without `cursor`: the current cursor and no changes. "
                    + "A caller sees changes of the keys it could list (its owner and environment; admin: all). A cursor older than the retention answers 410 CURSOR_EXPIRED.")
                .Produces<KeyChangeListResponse>(200, Json).Produces<ProblemResponse>(400, ProblemJson).Produces<ProblemResponse>(410, ProblemJson)
                .Document((op, _) => op.Parameters(
                        ApiOperationDocs.Query("cursor", new OpenApiSchema { Type = JsonSchemaType.String },
                            "The `cursor` of the previous answer (opaque); absent to start from now."),
                        ApiOperationDocs.Query("wait", new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "0", Maximum = "25", Default = JsonValue.Create(25) },
                            "Longest wait in seconds for a change (default and bound: the server's Hokusai:ChangeFeed:MaxWaitSeconds, 25 unless configured; far below the Functions HTTP timeout of 230 s)."))
                    .Example(200, ApiExamples.KeyChanges)
                    .Example(410, ApiExamples.Problem(ErrorCodes.CursorExpired, "The cursor is older than the feed keeps changes (24 hours): drop every cached answer and start again without a cursor.")))),
        new("VerifyKey", "POST", ApiRoutes.Verify, null, (sp, call) => Validation(sp).VerifyAsync(call.Request),
            b => b.WithTags("Validation").WithSummary("Check a key and consume `cost` (default 1) from its rate limit and quota; always 200 for a well-formed request, the answer is data. RateLimit-Policy/RateLimit headers for keys with limits.")
                .Produces<VerifyResponse>(200, Json).Produces<ProblemResponse>(400, ProblemJson)
                .Produces<ProblemResponse>(429, ProblemJson).Produces<ProblemResponse>(503, ProblemJson)
                .Document((op, _) => op.RateLimitHeaders(200)
                    .Header(200, "Retry-After", false, ApiOperationDocs.Seconds(), "With RATE_LIMITED and QUOTA_EXCEEDED: seconds until a request of this cost can succeed.")
                    .RequestExample(ApiExamples.VerifyRequest).Example(200, ApiExamples.Verified)
                    .Example(429, ApiExamples.Problem(ErrorCodes.TooManyFailures, "Too many failed verifications from this caller; retry later."))),
            typeof(VerifyRequest)),
        new("Authorize", "GET", ApiRoutes.Authorize, null, (sp, call) => Validation(sp).AuthorizeAsync(call.Request),
            b => b.WithTags("Validation").WithSummary("Gateway check: 204 with the key's identity in X-Hokusai-* headers, else a 400/401/403/429 problem (401 MISSING_KEY, MALFORMED, NOT_FOUND, REVOKED, EXPIRED, SUSPENDED; 403 WRONG_ENVIRONMENT, IP_NOT_ALLOWED, INSUFFICIENT_SCOPE; 429 RATE_LIMITED, QUOTA_EXCEEDED, TOO_MANY_FAILURES).")
                .Produces(204).Produces<ProblemResponse>(400, ProblemJson).Produces<ProblemResponse>(401, ProblemJson).Produces<ProblemResponse>(403, ProblemJson)
                .Produces<ProblemResponse>(429, ProblemJson).Produces<ProblemResponse>(503, ProblemJson)
                .Document(GatewayCheck(StatusCodes.Status204NoContent))),
        new("ExtAuthz", ApiEndpoint.AnyMethod, ApiRoutes.ExtAuthz, null, (sp, call) => Validation(sp).ExtAuthzAsync(call.Request),
            b => b.WithTags("Validation").WithSummary("Envoy ext_authz (HTTP service): authorize for a check that carries the client's method and path (set path_prefix to /api/ext-authz); "
                    + "200 with the key's identity in X-Hokusai-* headers (Envoy passes only 200), else the same problems as authorize.")
                .Produces(200).Produces<ProblemResponse>(400, ProblemJson).Produces<ProblemResponse>(401, ProblemJson).Produces<ProblemResponse>(403, ProblemJson)
                .Produces<ProblemResponse>(429, ProblemJson).Produces<ProblemResponse>(503, ProblemJson)
                .Document((op, document) =>
                {
                    GatewayCheck(StatusCodes.Status200OK)(op, document);
                    op.RestOfPath("path", "The client's path, as Envoy appends it to path_prefix (slashes included); not read.");
                })),
        new("ReportLeak", "POST", ApiRoutes.ReportLeak, null, (sp, call) => Leaks(sp).ReportLeakAsync(call),
            b => b.WithTags("Leaks").WithSummary("Report a leaked key by presenting it (no other authentication): an active key is revoked, or flagged (leakedAt) if its leakPolicy is notify. "
                    + "Keys that are not ours count as failed verifications of the caller.")
                .Produces<ReportLeakResponse>(200, Json).Produces<ProblemResponse>(400, ProblemJson)
                .Produces<ProblemResponse>(429, ProblemJson).Produces<ProblemResponse>(503, ProblemJson)
                .Document((op, _) => op.RequestExample(ApiExamples.ReportLeakRequest).Example(200, ApiExamples.LeakReported)
                    .Example(429, ApiExamples.Problem(ErrorCodes.TooManyFailures, "Too many failed verifications from this caller; retry later."))),
            typeof(ReportLeakRequest)),
        new("GitHubLeakReport", "POST", ApiRoutes.GitHubLeaks, null, (sp, call) => Leaks(sp).GitHubAsync(call),
            b => b.WithTags("Leaks").WithSummary("GitHub secret scanning partner endpoint: a JSON array of {token, type, url, source} (at most 1 MB), signed with ECDSA P-256/SHA-256 "
                    + "(GITHUB-PUBLIC-KEY-IDENTIFIER, GITHUB-PUBLIC-KEY-SIGNATURE). Revokes (or flags) each active key of ours; answers [{token_hash, token_type, label}].")
                .Produces<List<GitHubLeakVerdict>>(200, Json).Produces<ProblemResponse>(400, ProblemJson).Produces<ProblemResponse>(401, ProblemJson)
                .Produces<ProblemResponse>(503, ProblemJson)
                .Document((op, _) => op.RequestExample(ApiExamples.GitHubLeakReport).Example(200, ApiExamples.GitHubLeakVerdicts)
                    .Example(401, ApiExamples.Problem(ErrorCodes.InvalidSignature, "The report's signature does not verify."))),
            typeof(List<GitHubLeakMatch>)),
        new("Health", "GET", ApiRoutes.Health, null, (sp, call) => System(sp).HealthAsync(call.Request),
            b => b.WithTags("System").WithSummary("200 when storage answers, 503 otherwise, with each dependency's status.")
                .Produces<HealthResponse>(200, Json).Produces<HealthResponse>(503, Json)
                .Document((op, _) => op.Example(200, ApiExamples.Health)
                    .Example(503, new HealthResponse("unhealthy", new Dictionary<string, string> { ["storage"] = "unavailable", ["redis"] = "ok" })))),
        new("OpenApi", "GET", ApiRoutes.OpenApi, null, (sp, call) => System(sp).OpenApiAsync(call.Request),
            b => b.WithTags("System").WithSummary("This OpenAPI document.").Produces<ProblemResponse>(404, ProblemJson)
                .Document((op, _) => op.Responses!["200"] = new OpenApiResponse
                {
                    Description = "The document (OpenAPI 3.1), as committed in docs/openapi.json.",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        [Json] = new()
                        {
                            Schema = new OpenApiSchema { Type = JsonSchemaType.Object },
                            Example = new JsonObject { ["openapi"] = "3.1.1", ["info"] = new JsonObject { ["title"] = "Hokusai Keys API" } },
                        },
                    },
                })),
    ];

    /// <summary>
    /// The methods of the routes at <c>/api/</c><paramref name="path"/> (sorted, comma-separated; empty when no route
    /// matches), as <c>Allow</c> names them. A literal segment outranks <c>{id}</c>, as in ASP.NET Core routing:
    /// <c>keys/verify</c> is the verify route's path only, not also a key's.
    /// </summary>
    public static string AllowedMethods(string path)
    {
        var segments = path.Split('/');
        var matches = All.Where(e => Matches(e.Route, segments)).ToList();
        if (matches.Count == 0) return "";
        var mostLiteral = matches.Max(e => LiteralSegments(e.Route));
        return string.Join(", ", matches.Where(e => LiteralSegments(e.Route) == mostLiteral).SelectMany(e => e.Methods).Distinct().Order(StringComparer.Ordinal));
    }

    // Route (with {id}) → id that makes its path a literal route's path → that path's methods; built once from All.
    private static readonly FrozenDictionary<string, FrozenDictionary<string, string>> LiteralPathsById = All
        .Where(e => e.HasId).Select(e => e.Route).Distinct()
        .Select(route => (Route: route, Ids: All.Where(l => !l.HasId && Matches(route, l.Route.Split('/')))
            .Select(l => l.Route.Split('/')[Array.IndexOf(route.Split('/'), "{id}")]).Distinct(StringComparer.OrdinalIgnoreCase)
            .ToFrozenDictionary(id => id, id => AllowedMethods(route.Replace("{id}", id, StringComparison.Ordinal)), StringComparer.OrdinalIgnoreCase)))
        .Where(x => x.Ids.Count > 0)
        .ToFrozenDictionary(x => x.Route, x => x.Ids, StringComparer.Ordinal);

    /// <summary>
    /// When <paramref name="endpoint"/>'s path with this <paramref name="id"/> is another route's literal path (GET
    /// <c>keys/{id}</c> with id <c>verify</c> is <c>keys/verify</c>), the methods of that path; else null. The server's
    /// routing ranks templates by literals, but the Functions runtime ranks them by function name
    /// (azure-functions-host#9876) and hands GET /api/keys/verify to GetKey: the invoker asks here, for both hosts.
    /// </summary>
    public static string? LiteralPathMethods(ApiEndpoint endpoint, string id) =>
        LiteralPathsById.TryGetValue(endpoint.Route, out var ids) && ids.TryGetValue(id, out var methods) ? methods : null;

    private static bool Matches(string template, string[] segments)
    {
        var parts = template.Split('/');
        if (parts.Length != segments.Length) return false;
        for (var i = 0; i < parts.Length; i++)
        {
            var matches = parts[i] == "{id}" ? segments[i].Length > 0 : string.Equals(parts[i], segments[i], StringComparison.OrdinalIgnoreCase);
            if (!matches) return false;
        }
        return true;
    }

    // Every template here has at most one parameter, so the count of literal segments orders them as ASP.NET Core's
    // segment-by-segment precedence would.
    private static int LiteralSegments(string template) => template.Split('/').Count(part => part != "{id}");

    /// <summary>
    /// What authorize and ext-authz share: the key in any of three places, the required scopes and environment, and the
    /// key's identity in headers on <paramref name="success"/>.
    /// </summary>
    private static Action<OpenApiOperation, OpenApiDocument> GatewayCheck(int success) => (op, document) =>
        {
            // The key to check is the credential, in any of the three places.
            op.Security = [ApiOperationDocs.Requirement(document, ApiOperationDocs.BearerScheme),
                ApiOperationDocs.Requirement(document, ApiOperationDocs.ApiKeyHeaderScheme),
                ApiOperationDocs.Requirement(document, ApiOperationDocs.ApiKeyQueryScheme)];
            op.Parameters(
                    ApiOperationDocs.RequestHeader(ValidationApi.RequiredScopesHeader, ScopeList(),
                        $"Scopes the key must hold, separated by commas or spaces (at most {ValidationApi.MaxRequiredScopes})."),
                    ApiOperationDocs.RequestHeader(ValidationApi.RequiredEnvironmentHeader, ApiSchemaRules.Reference(document, ApiSchemaRules.KeyEnvironmentSchema),
                        "A key of the other environment is refused (403 WRONG_ENVIRONMENT)."))
                .Header(success, "X-Hokusai-Key-Id", true, ApiSchemaRules.KeyId(), "The key's id.")
                .Header(success, "X-Hokusai-Owner", true, ApiSchemaRules.Owner(), "The key's owner.")
                .Header(success, "X-Hokusai-Environment", true, ApiSchemaRules.Reference(document, ApiSchemaRules.KeyEnvironmentSchema), "The key's environment.")
                // Empty for a key without scopes, which a host may send as an empty header or not at all.
                .Header(success, "X-Hokusai-Scopes", false, new OpenApiSchema { Type = JsonSchemaType.String, Pattern = ApiSchemaRules.ScopeListPattern },
                    "The key's scopes, separated by one space; empty or absent for a key without scopes.")
                .RateLimitHeaders(success).RateLimitHeaders(429)
                .HeaderExample(success, "X-Hokusai-Key-Id", ApiExamples.KeyId).HeaderExample(success, "X-Hokusai-Owner", "acme")
                .HeaderExample(success, "X-Hokusai-Environment", KeyEnvironmentNames.Live).HeaderExample(success, "X-Hokusai-Scopes", "billing:read billing:write")
                .Example(401, ApiExamples.Problem(ErrorCodes.MissingKey, "Send an API key in 'Authorization: Bearer …', 'X-API-Key' or '?api_key='."));
        };

    private static RouteHandlerBuilder Management(RouteHandlerBuilder builder, string summary) =>
        builder.WithTags("Keys").WithSummary(summary)
            .Produces<ProblemResponse>(401, ProblemJson).Produces<ProblemResponse>(403, ProblemJson)
            .Produces<ProblemResponse>(429, ProblemJson).Produces<ProblemResponse>(503, ProblemJson)
            .Document((op, _) => op.Example(401, ApiExamples.Problem(ErrorCodes.Unauthenticated, "Send an API key in 'Authorization: Bearer …' or 'X-API-Key'.")));

    private static OpenApiSchema DateTime() => new() { Type = JsonSchemaType.String, Format = "date-time" };

    private static OpenApiSchema ScopeList() => new() { Type = JsonSchemaType.String, Description = "Scopes separated by commas or spaces." };

    private static KeysApi Keys(IServiceProvider services) => services.GetRequiredService<KeysApi>();
    private static ValidationApi Validation(IServiceProvider services) => services.GetRequiredService<ValidationApi>();
    private static SystemApi System(IServiceProvider services) => services.GetRequiredService<SystemApi>();
    private static LeakReportsApi Leaks(IServiceProvider services) => services.GetRequiredService<LeakReportsApi>();
}
