using System.Collections.Frozen;
using System.Net;
using Hokusai.Keys.Api.Http;
using Hokusai.Keys.Api.Models;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Management;
using Hokusai.Keys.RateLimiting;
using Hokusai.Keys.Validation;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Api.Handlers;

/// <summary>
/// The hot path: <c>POST /api/keys/verify</c> (answer as data), and <c>GET /api/authorize</c> and <c>/api/ext-authz/…</c>
/// (answer as status, for gateways).
/// </summary>
public sealed class ValidationApi(KeyValidator validator, ClientIpResolver clientIps, IOptions<RateLimitingOptions> limits, ApiErrorBoundary boundary)
{
    public const string RequiredScopesHeader = "X-Required-Scopes";
    public const string RequiredEnvironmentHeader = "X-Required-Environment";
    public const int MaxRequiredScopes = 32;
    private const string TooManyFailuresRetryAfter = "60";
    private const string ScopeRule = "scopes are 1–64 characters of letters, digits and : . _ * -, starting with a letter or digit";
    private const string EnvironmentRule = "must be 'live' or 'test'";

    private readonly int _maxCost = limits.Value.MaxCost;

    public Task<ApiResult> VerifyAsync(HttpRequest request) =>
        boundary.RunAsync(request, this, static (api, r, ct) => api.VerifyCoreAsync(r, ct));

    public Task<ApiResult> AuthorizeAsync(HttpRequest request) =>
        boundary.RunAsync(request, this, static (api, r, ct) => api.AuthorizeCoreAsync(r, StatusCodes.Status204NoContent, ct));

    /// <summary>Authorize for Envoy's <c>ext_authz</c>, which lets a request pass on 200 only (any method, any path below the prefix).</summary>
    public Task<ApiResult> ExtAuthzAsync(HttpRequest request) =>
        boundary.RunAsync(request, this, static (api, r, ct) => api.AuthorizeCoreAsync(r, StatusCodes.Status200OK, ct));

    private async ValueTask<ApiResult> VerifyCoreAsync(HttpRequest request, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync<VerifyRequest>(request, required: true, ct);
        if (body.Problem is not null) return body.Problem;
        var verify = body.Value!;

        var errors = new Dictionary<string, string[]>();
        if (verify.Key is null) errors["key"] = ["is required"];
        IPAddress? ip = null;
        if (verify.Ip is not null && !StrictIpAddress.TryParse(verify.Ip, out ip)) errors["ip"] = ["must be an IPv4 address (dotted decimal) or an IPv6 address"];
        if (verify.RequiredScopes is { Count: > MaxRequiredScopes }) errors["requiredScopes"] = [$"at most {MaxRequiredScopes} scopes"];
        else if (verify.RequiredScopes?.All(KeyRules.IsValidScope) == false) errors["requiredScopes"] = [ScopeRule];
        KeyEnvironment? requiredEnvironment = null;
        if (verify.RequiredEnvironment is not null)
        {
            if (KeyEnvironmentNames.TryParse(verify.RequiredEnvironment, out var environment)) requiredEnvironment = environment;
            else errors["requiredEnvironment"] = [EnvironmentRule];
        }
        if (verify.Cost is < 0 || verify.Cost > _maxCost) errors["cost"] = [$"must be 0–{_maxCost}"];
        if (errors.Count > 0) return Problems.Invalid(errors);

        // The body's ip is the end user's, for allow-lists; failed verifications count against the caller, so a body
        // can neither spread guesses over many addresses nor lock someone else out. Only a trusted gateway's end users
        // are counted on their own (within the gateway's budget).
        var caller = clientIps.Resolve(request.HttpContext);
        var result = await validator.ValidateAsync(
            new ValidationRequest(verify.Key, ip, verify.RequiredScopes, ValidationEndpoint.Verify)
            {
                Cost = verify.Cost ?? 1,
                Caller = caller,
                GatewayEndUser = ip is not null && clientIps.IsTrustedGateway(caller) ? ip : null,
                RequiredEnvironment = requiredEnvironment,
            },
            ct);
        if (Refusal(result) is { } refusal) return refusal;

        var limits = result.Limits;
        var answer = new VerifyResponse(result.IsValid, result.Code.ToWire())
        {
            Key = Describe(result),
            RateLimit = RateLimitHeaders.View(limits?.Rate),
            Quota = RateLimitHeaders.View(limits?.Quota),
            RetryAfterSeconds = result.Code.IsThrottled() && limits is not null ? RateLimitHeaders.RetryAfter(limits) : null,
        };
        return RateLimitHeaders.Apply(ApiResult.Json(StatusCodes.Status200OK, answer), limits);
    }

    private async ValueTask<ApiResult> AuthorizeCoreAsync(HttpRequest request, int allowed, CancellationToken ct)
    {
        var presented = PresentedKey.From(request, allowQuery: true);
        if (string.IsNullOrEmpty(presented))
            return Problems.Unauthorized(ErrorCodes.MissingKey, "Send an API key in 'Authorization: Bearer …', 'X-API-Key' or '?api_key='.");

        var required = ParseScopes(request.Headers[RequiredScopesHeader].ToString());
        if (required is { Length: > MaxRequiredScopes })
            return Problems.BadRequest(ErrorCodes.ValidationFailed, $"At most {MaxRequiredScopes} required scopes.");
        if (required is not null && !required.All(KeyRules.IsValidScope)) return Problems.Invalid(RequiredScopesHeader, ScopeRule);

        KeyEnvironment? requiredEnvironment = null;
        if (request.Headers.TryGetValue(RequiredEnvironmentHeader, out var environmentHeader))
        {
            if (environmentHeader.Count != 1 || !KeyEnvironmentNames.TryParse(environmentHeader[0], out var environment))
                return Problems.Invalid(RequiredEnvironmentHeader, EnvironmentRule);
            requiredEnvironment = environment;
        }

        var caller = clientIps.Resolve(request.HttpContext);
        var result = await validator.ValidateAsync(
            new ValidationRequest(presented, caller, required, ValidationEndpoint.Authorize) { Caller = caller, RequiredEnvironment = requiredEnvironment }, ct);
        if (Refusal(result) is { } refusal) return refusal;

        var code = result.Code;
        if (code == ValidationCode.Valid)
        {
            var key = result.Key!;
            return RateLimitHeaders.Apply(ApiResult.Empty(allowed)
                .WithHeader("X-Hokusai-Key-Id", key.Id)
                .WithHeader("X-Hokusai-Owner", key.Owner)
                .WithHeader("X-Hokusai-Environment", key.Environment.ToWire())
                .WithHeader("X-Hokusai-Scopes", key.ScopesHeader), result.Limits);
        }
        var refused = ApiResult.Problem(RefusalOf(code));
        if (code.IsThrottled()) return RateLimitHeaders.Apply(refused, result.Limits);
        return code.IsAuthenticationFailure() ? refused.WithHeader("WWW-Authenticate", Problems.BearerChallenge) : refused;
    }

    /// <summary>Answers that are not data for either endpoint: the caller is throttled, or we cannot decide.</summary>
    private static ApiResult? Refusal(ValidationResult result) => result.Code switch
    {
        ValidationCode.TooManyFailures => ApiResult.Problem(RefusalOf(result.Code)).WithHeader("Retry-After", TooManyFailuresRetryAfter),
        ValidationCode.Unavailable => Problems.Unavailable("Key storage is unavailable and this key is not cached; try again shortly."),
        ValidationCode.VerificationBusy or ValidationCode.LimiterUnavailable => ApiResult.Problem(RefusalOf(result.Code)).WithHeader("Retry-After", "1"),
        _ => null,
    };

    /// <summary>The problem answering a refused key: its body depends on the code only, so it is serialized once per code.</summary>
    private static PreparedProblem RefusalOf(ValidationCode code) => RefusalProblems[code];

    private static readonly FrozenDictionary<ValidationCode, PreparedProblem> RefusalProblems =
        Enum.GetValues<ValidationCode>().Where(code => code != ValidationCode.Valid).ToFrozenDictionary(
            code => code, code => new PreparedProblem(ProblemResponse.Create(StatusOf(code), code.ToWire(), DetailOf(code))));

    private static int StatusOf(ValidationCode code) => code switch
    {
        ValidationCode.TooManyFailures => StatusCodes.Status429TooManyRequests,
        _ when code.IsThrottled() => StatusCodes.Status429TooManyRequests,
        ValidationCode.VerificationBusy or ValidationCode.LimiterUnavailable or ValidationCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ when code.IsAuthenticationFailure() => StatusCodes.Status401Unauthorized,
        _ => StatusCodes.Status403Forbidden,
    };

    private static VerifiedKey? Describe(ValidationResult result)
    {
        var key = result.Key;
        if (key is null) return null;
        if (!result.IsValid) return new VerifiedKey(key.Id);
        return new VerifiedKey(key.Id)
        {
            Owner = key.Owner,
            Name = key.Name,
            Environment = key.Environment.ToWire(),
            Scopes = key.Scopes,
            Metadata = key.Metadata,
            ExpiresAt = key.ExpiresAt,
            LeakedAt = key.LeakedAt,
        };
    }

    private static string[]? ParseScopes(string header) =>
        string.IsNullOrWhiteSpace(header) ? null : header.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string DetailOf(ValidationCode code) => code switch
    {
        ValidationCode.Malformed => "The API key is not in a valid format.",
        ValidationCode.NotFound => "The API key is not known.",
        ValidationCode.Revoked => "The API key has been revoked.",
        ValidationCode.Expired => "The API key has expired.",
        ValidationCode.Suspended => "The API key is suspended.",
        ValidationCode.WrongEnvironment => "The API key belongs to another environment (live or test) than the one required.",
        ValidationCode.IpNotAllowed => "The API key may not be used from this address.",
        ValidationCode.InsufficientScope => "The API key lacks a required scope.",
        ValidationCode.RateLimited => "The API key's rate limit is exhausted; retry after the Retry-After delay.",
        ValidationCode.QuotaExceeded => "The API key's quota for this period is used up.",
        ValidationCode.TooManyFailures => "Too many failed verifications from this caller; retry later.",
        ValidationCode.LimiterUnavailable => "Rate limits cannot be checked right now; retry shortly.",
        ValidationCode.VerificationBusy => "Too many keys are being checked right now and this one is not cached; retry shortly.",
        _ => "The API key was refused.",
    };
}
