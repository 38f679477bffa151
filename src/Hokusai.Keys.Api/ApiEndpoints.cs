using Hokusai.Keys.Api.Handlers;
using Hokusai.Keys.Api.Http;
using Hokusai.Keys.Api.Models;
using Hokusai.Keys.Management;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

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
                .Produces<KeyResource>(201, Json).Produces<ProblemResponse>(400, ProblemJson),
            typeof(CreateKeyRequest)),
        new("ListKeys", "GET", ApiRoutes.Keys, Access.Read, (sp, call) => Keys(sp).ListKeysAsync(call),
            b => Management(b, "List keys newest first. Query: owner, status (active|revoked|expired), limit (1–100, default 50), cursor.")
                .Produces<KeyListResponse>(200, Json).Produces<ProblemResponse>(400, ProblemJson)),
        new("GetKey", "GET", ApiRoutes.Key, Access.Read, (sp, call) => Keys(sp).GetKeyAsync(call),
            b => Management(b, "Get one key.").Produces<KeyResource>(200, Json).Produces<ProblemResponse>(404, ProblemJson)),
        new("UpdateKey", "PATCH", ApiRoutes.Key, Access.Write, (sp, call) => Keys(sp).UpdateKeyAsync(call),
            b => Management(b, "Change name, scopes, rateLimit, allowedIps, expiresAt or metadata (merge-patch: absent fields stay).")
                .Produces<KeyResource>(200, Json).Produces<ProblemResponse>(400, ProblemJson)
                .Produces<ProblemResponse>(404, ProblemJson).Produces<ProblemResponse>(409, ProblemJson),
            typeof(UpdateKeyRequest)),
        new("RevokeKey", "POST", ApiRoutes.RevokeKey, Access.Write, (sp, call) => Keys(sp).RevokeKeyAsync(call),
            b => Management(b, "Revoke a key (idempotent). Every instance refuses it within a second.")
                .Produces<KeyResource>(200, Json).Produces<ProblemResponse>(404, ProblemJson)),
        new("RotateKey", "POST", ApiRoutes.RotateKey, Access.Write, (sp, call) => Keys(sp).RotateKeyAsync(call),
            b => Management(b, "Replace a key by a new one; the old one keeps working for gracePeriodSeconds (default 86400; 0 revokes it now).")
                .Produces<RotateKeyResponse>(201, Json).Produces<ProblemResponse>(400, ProblemJson)
                .Produces<ProblemResponse>(404, ProblemJson).Produces<ProblemResponse>(409, ProblemJson),
            typeof(RotateKeyRequest), BodyRequired: false),
        new("ListKeyEvents", "GET", ApiRoutes.KeyEvents, Access.Read, (sp, call) => Keys(sp).ListKeyEventsAsync(call),
            b => Management(b, "The key's audit trail, newest first. Query: limit (1–100, default 50), cursor.")
                .Produces<KeyEventListResponse>(200, Json).Produces<ProblemResponse>(404, ProblemJson)),
        new("GetKeyUsage", "GET", ApiRoutes.KeyUsage, Access.Read, (sp, call) => sp.GetRequiredService<UsageApi>().GetUsageAsync(call),
            b => Management(b, "Verifications of the key per hour or day, empty buckets included. Query: from, to (ISO 8601; default: to = now, "
                    + "from = 24 h or 7 days back), granularity (hour|day; default hour, or day for more than 2 days). At most 1,000 buckets.")
                .Produces<KeyUsageResponse>(200, Json).Produces<ProblemResponse>(400, ProblemJson).Produces<ProblemResponse>(404, ProblemJson)),
        new("VerifyKey", "POST", ApiRoutes.Verify, null, (sp, call) => Validation(sp).VerifyAsync(call.Request),
            b => b.WithTags("Validation").WithSummary("Check a key and consume `cost` (default 1) from its rate limit and quota; always 200 for a well-formed request, the answer is data. RateLimit-Policy/RateLimit headers for keys with limits.")
                .Produces<VerifyResponse>(200, Json).Produces<ProblemResponse>(400, ProblemJson)
                .Produces<ProblemResponse>(429, ProblemJson).Produces<ProblemResponse>(503, ProblemJson),
            typeof(VerifyRequest)),
        new("Authorize", "GET", ApiRoutes.Authorize, null, (sp, call) => Validation(sp).AuthorizeAsync(call.Request),
            b => b.WithTags("Validation").WithSummary("Gateway check: key from Bearer, X-API-Key or ?api_key; scopes from X-Required-Scopes, environment (live|test) from X-Required-Environment. 204 with X-Hokusai-* (Key-Id, Owner, Environment, Scopes) and RateLimit headers, else 400/401/403/429 (Retry-After) problem.")
                .Produces(204).Produces<ProblemResponse>(400, ProblemJson).Produces<ProblemResponse>(401, ProblemJson).Produces<ProblemResponse>(403, ProblemJson)
                .Produces<ProblemResponse>(429, ProblemJson).Produces<ProblemResponse>(503, ProblemJson)),
        new("ReportLeak", "POST", ApiRoutes.ReportLeak, null, (sp, call) => Leaks(sp).ReportLeakAsync(call),
            b => b.WithTags("Leaks").WithSummary("Report a leaked key by presenting it (no other authentication): an active key is revoked, or flagged (leakedAt) if its leakPolicy is notify. "
                    + "Keys that are not ours count as failed verifications of the caller.")
                .Produces<ReportLeakResponse>(200, Json).Produces<ProblemResponse>(400, ProblemJson)
                .Produces<ProblemResponse>(429, ProblemJson).Produces<ProblemResponse>(503, ProblemJson),
            typeof(ReportLeakRequest)),
        new("GitHubLeakReport", "POST", ApiRoutes.GitHubLeaks, null, (sp, call) => Leaks(sp).GitHubAsync(call),
            b => b.WithTags("Leaks").WithSummary("GitHub secret scanning partner endpoint: a JSON array of {token, type, url, source} (at most 1 MB), signed with ECDSA P-256/SHA-256 "
                    + "(GITHUB-PUBLIC-KEY-IDENTIFIER, GITHUB-PUBLIC-KEY-SIGNATURE). Revokes (or flags) each active key of ours; answers [{token_hash, token_type, label}].")
                .Produces<List<GitHubLeakVerdict>>(200, Json).Produces<ProblemResponse>(400, ProblemJson).Produces<ProblemResponse>(401, ProblemJson)
                .Produces<ProblemResponse>(503, ProblemJson),
            typeof(List<GitHubLeakMatch>)),
        new("Health", "GET", ApiRoutes.Health, null, (sp, call) => System(sp).HealthAsync(call.Request),
            b => b.WithTags("System").WithSummary("200 when storage answers, 503 otherwise, with each dependency's status.")
                .Produces<HealthResponse>(200, Json).Produces<HealthResponse>(503, Json)),
        new("OpenApi", "GET", ApiRoutes.OpenApi, null, (sp, call) => System(sp).OpenApiAsync(call.Request),
            b => b.WithTags("System").WithSummary("This OpenAPI document.").Produces(200, contentType: Json)),
    ];

    private static RouteHandlerBuilder Management(RouteHandlerBuilder builder, string summary) =>
        builder.WithTags("Keys").WithSummary(summary)
            .Produces<ProblemResponse>(401, ProblemJson).Produces<ProblemResponse>(403, ProblemJson).Produces<ProblemResponse>(503, ProblemJson);

    private static KeysApi Keys(IServiceProvider services) => services.GetRequiredService<KeysApi>();
    private static ValidationApi Validation(IServiceProvider services) => services.GetRequiredService<ValidationApi>();
    private static SystemApi System(IServiceProvider services) => services.GetRequiredService<SystemApi>();
    private static LeakReportsApi Leaks(IServiceProvider services) => services.GetRequiredService<LeakReportsApi>();
}
