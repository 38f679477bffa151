using System.Collections.Frozen;
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
                .Produces<KeyResource>(201, Json).Produces<ProblemResponse>(400, ProblemJson).Produces<ProblemResponse>(415, ProblemJson),
            typeof(CreateKeyRequest)),
        new("ListKeys", "GET", ApiRoutes.Keys, Access.Read, (sp, call) => Keys(sp).ListKeysAsync(call),
            b => Management(b, "List keys newest first. Query: owner, status (active|revoked|expired), limit (1–100, default 50), cursor.")
                .Produces<KeyListResponse>(200, Json).Produces<ProblemResponse>(400, ProblemJson)),
        new("GetKey", "GET", ApiRoutes.Key, Access.Read, (sp, call) => Keys(sp).GetKeyAsync(call),
            b => Management(b, "Get one key.").Produces<KeyResource>(200, Json).Produces<ProblemResponse>(404, ProblemJson)),
        new("UpdateKey", "PATCH", ApiRoutes.Key, Access.Write, (sp, call) => Keys(sp).UpdateKeyAsync(call),
            b => Management(b, "Change name, scopes, rateLimit, allowedIps, expiresAt or metadata (merge-patch: absent fields stay).")
                .Produces<KeyResource>(200, Json).Produces<ProblemResponse>(400, ProblemJson)
                .Produces<ProblemResponse>(404, ProblemJson).Produces<ProblemResponse>(409, ProblemJson).Produces<ProblemResponse>(415, ProblemJson),
            typeof(UpdateKeyRequest), BodyMediaTypes: [JsonMediaType.Json, JsonMediaType.MergePatch]),
        new("RevokeKey", "POST", ApiRoutes.RevokeKey, Access.Write, (sp, call) => Keys(sp).RevokeKeyAsync(call),
            b => Management(b, "Revoke a key (idempotent). Every instance refuses it within a second.")
                .Produces<KeyResource>(200, Json).Produces<ProblemResponse>(404, ProblemJson)),
        new("RotateKey", "POST", ApiRoutes.RotateKey, Access.Write, (sp, call) => Keys(sp).RotateKeyAsync(call),
            b => Management(b, "Replace a key by a new one; the old one keeps working for gracePeriodSeconds (default 86400; 0 revokes it now).")
                .Produces<RotateKeyResponse>(201, Json).Produces<ProblemResponse>(400, ProblemJson)
                .Produces<ProblemResponse>(404, ProblemJson).Produces<ProblemResponse>(409, ProblemJson).Produces<ProblemResponse>(415, ProblemJson),
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
                .Produces<VerifyResponse>(200, Json).Produces<ProblemResponse>(400, ProblemJson).Produces<ProblemResponse>(415, ProblemJson)
                .Produces<ProblemResponse>(429, ProblemJson).Produces<ProblemResponse>(503, ProblemJson),
            typeof(VerifyRequest)),
        new("Authorize", "GET", ApiRoutes.Authorize, null, (sp, call) => Validation(sp).AuthorizeAsync(call.Request),
            b => b.WithTags("Validation").WithSummary("Gateway check: key from Bearer, X-API-Key or ?api_key; scopes from X-Required-Scopes, environment (live|test) from X-Required-Environment. 204 with X-Hokusai-* (Key-Id, Owner, Environment, Scopes) and RateLimit headers, else 400/401/403/429 (Retry-After) problem.")
                .Produces(204).Produces<ProblemResponse>(400, ProblemJson).Produces<ProblemResponse>(401, ProblemJson).Produces<ProblemResponse>(403, ProblemJson)
                .Produces<ProblemResponse>(429, ProblemJson).Produces<ProblemResponse>(503, ProblemJson)),
        new("Health", "GET", ApiRoutes.Health, null, (sp, call) => System(sp).HealthAsync(call.Request),
            b => b.WithTags("System").WithSummary("200 when storage answers, 503 otherwise, with each dependency's status.")
                .Produces<HealthResponse>(200, Json).Produces<HealthResponse>(503, Json)),
        new("OpenApi", "GET", ApiRoutes.OpenApi, null, (sp, call) => System(sp).OpenApiAsync(call.Request),
            b => b.WithTags("System").WithSummary("This OpenAPI document.").Produces(200, contentType: Json)),
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
        return string.Join(", ", matches.Where(e => LiteralSegments(e.Route) == mostLiteral).Select(e => e.Method).Distinct().Order(StringComparer.Ordinal));
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

    private static RouteHandlerBuilder Management(RouteHandlerBuilder builder, string summary) =>
        builder.WithTags("Keys").WithSummary(summary)
            .Produces<ProblemResponse>(401, ProblemJson).Produces<ProblemResponse>(403, ProblemJson).Produces<ProblemResponse>(503, ProblemJson);

    private static KeysApi Keys(IServiceProvider services) => services.GetRequiredService<KeysApi>();
    private static ValidationApi Validation(IServiceProvider services) => services.GetRequiredService<ValidationApi>();
    private static SystemApi System(IServiceProvider services) => services.GetRequiredService<SystemApi>();
}
