using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Hokusai.Keys.Client;
using Hokusai.Keys.Client.Models;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.AspNetCore;

/// <summary>
/// Authenticates requests bearing a Hokusai API key (<c>Authorization: Bearer</c>, <c>X-API-Key</c> or <c>?api_key=</c>) by
/// calling verify through the SDK. Answers are cached under a SHA-256 of the key (never the key): valid ones briefly, or
/// long while a <see cref="HokusaiApiKeyOptions.ServiceKey"/> follows the change feed (<see cref="KeyChangeFollower"/>),
/// which evicts the answers of keys that changed. Failures answer
/// 401 (missing, malformed, unknown, revoked, expired), 403 (IP_NOT_ALLOWED, INSUFFICIENT_SCOPE) or 429 (RATE_LIMITED,
/// QUOTA_EXCEEDED, TOO_MANY_FAILURES, with Retry-After when known), each with an application/problem+json body.
/// </summary>
public sealed class HokusaiApiKeyHandler(
    IOptionsMonitor<HokusaiApiKeyOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    HokusaiClientRegistry clients)
    : AuthenticationHandler<HokusaiApiKeyOptions>(options, logger, encoder)
{
    private const string FailureItem = "Hokusai.Keys.AuthFailure";

    private sealed record Failure(int Status, string Code, string Detail, TimeSpan? RetryAfter);

    /// <summary>
    /// No key: no result (another scheme may answer). A key: verified through the SDK (or the short answer cache); valid, a principal with the key's claims; refused, a failure the challenge answers as a problem.
    /// </summary>
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = ReadKey(Request, Options.AllowQueryString);
        if (key is null) return AuthenticateResult.NoResult();

        var ip = Options.ForwardClientIp ? Context.Connection.RemoteIpAddress?.ToString() : null;
        var cache = clients.Answers;
        var feed = cache.Feed(Scheme.Name);
        var cacheKey = Scheme.Name + ":" + Sha256(key) + ":" + ip;
        var now = TimeProvider.GetUtcNow();
        VerifyResult result;
        var answeredFromCache = false;
        // A valid answer cached for long is used only while the feed is followed; else no longer than the short duration.
        if (cache.TryGet(cacheKey, out var cached) && (!cached.Result.Valid || feed.IsFollowed(now) || now - cached.CachedAt <= Options.ValidCacheDuration))
        {
            result = cached.Result;
            answeredFromCache = true;
        }
        else
        {
            var stamp = cache.Stamp();
            try
            {
                var client = clients.Get(Scheme.Name, Options);
                result = await client.VerifyAsync(key, ip, Options.RequiredScopes.Count > 0 ? Options.RequiredScopes : null, Context.RequestAborted);
            }
            catch (HokusaiApiException ex)
            {
                var status = ex.Status is 429 or 400 ? ex.Status : 503;
                var code = ex.Status == 400 ? VerifyCodes.Malformed : ex.Status == 429 ? ex.Code : VerifyCodes.Unavailable;
                var detail = ex.Status is 429 or 400 ? ex.Detail : "The key could not be checked; try again shortly.";
                if (status == 503) Logger.LogWarning("Hokusai verify failed: {Code} (HTTP {Status})", ex.Code, ex.Status);
                return Fail(new Failure(status == 400 ? 401 : status, code, detail, ex.RetryAfter));
            }
            var keyId = result.Key?.Id ?? AnswerCache.KeyIdOf(key);
            var ttl = result.Valid
                ? (result.RateLimit is null && result.Quota is null ? ValidDuration(result.Key!, keyId, feed, cache, now) : TimeSpan.Zero)
                : (result.Code is VerifyCodes.RateLimited or VerifyCodes.QuotaExceeded or VerifyCodes.TooManyFailures ? TimeSpan.Zero : Options.InvalidCacheDuration);
            cache.Set(cacheKey, new AnswerCache.Answer(result, keyId, now, stamp), ttl);
        }

        if (!result.Valid) return Fail(Describe(result));

        var verified = result.Key!;
        // The platform counted the verify that filled the cache; the uses answered from it are reported (HokusaiUsageReporter).
        if (answeredFromCache && Options.ServiceKey is not null) Context.RequestServices.GetService<HokusaiCachedUseCounter>()?.Record(Scheme.Name, verified.Id, ip);
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, verified.Id),
            new(HokusaiClaimTypes.KeyId, verified.Id),
        };
        if (verified.Owner is not null)
        {
            claims.Add(new Claim(HokusaiClaimTypes.Owner, verified.Owner));
            claims.Add(new Claim(ClaimTypes.Name, verified.Owner));
        }
        if (verified.Name is not null) claims.Add(new Claim(HokusaiClaimTypes.KeyName, verified.Name));
        if (verified.Environment is not null) claims.Add(new Claim(HokusaiClaimTypes.Environment, verified.Environment));
        foreach (var scope in verified.Scopes ?? []) claims.Add(new Claim(HokusaiClaimTypes.Scope, scope));
        var identity = new ClaimsIdentity(claims, Scheme.Name, ClaimTypes.Name, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    /// <summary>
    /// Long while the feed is followed and covers the key (and it did not just change), else short; never past the key's expiry.
    /// </summary>
    private TimeSpan ValidDuration(VerifiedApiKey verified, string? keyId, FeedState feed, AnswerCache cache, DateTimeOffset now)
    {
        var ttl = feed.Covers(verified, now) && !cache.ChangedRecently(keyId, now) ? Options.FollowedValidCacheDuration : Options.ValidCacheDuration;
        return verified.ExpiresAt is { } expires && expires - now < ttl ? expires - now : ttl;
    }

    /// <summary>Answers the failure of this request (or a missing key) as application/problem+json, with its status and Retry-After.</summary>
    /// <param name="properties">Unused.</param>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = Context.Items[FailureItem] as Failure
            ?? new Failure(401, VerifyCodes.MissingKey, "Send an API key in 'Authorization: Bearer …', 'X-API-Key' or '?api_key='.", null);
        if (failure.Status == 401) Response.Headers.WWWAuthenticate = "Bearer";
        return WriteProblemAsync(failure);
    }

    /// <summary>Answers 403 <c>INSUFFICIENT_SCOPE</c> as application/problem+json: the key lacks a scope the endpoint's policy requires.</summary>
    /// <param name="properties">Unused.</param>
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(new Failure(403, VerifyCodes.InsufficientScope, "The API key lacks a scope this endpoint requires.", null));

    private AuthenticateResult Fail(Failure failure)
    {
        Context.Items[FailureItem] = failure;
        return AuthenticateResult.Fail(failure.Code);
    }

    private static Failure Describe(VerifyResult result)
    {
        TimeSpan? retry = result.Code switch
        {
            VerifyCodes.RateLimited when result.RateLimit is { } r => TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(r.ResetSeconds))),
            VerifyCodes.QuotaExceeded when result.Quota is { } q => TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(q.ResetSeconds))),
            _ => null,
        };
        return result.Code switch
        {
            VerifyCodes.IpNotAllowed => new(403, result.Code, "The API key may not be used from this address.", null),
            VerifyCodes.InsufficientScope => new(403, result.Code, "The API key lacks a required scope.", null),
            VerifyCodes.RateLimited => new(429, result.Code, "The API key's rate limit is exhausted.", retry),
            VerifyCodes.QuotaExceeded => new(429, result.Code, "The API key's quota is exhausted.", retry),
            VerifyCodes.TooManyFailures => new(429, result.Code, "Too many failed attempts; try again later.", retry),
            VerifyCodes.Malformed => new(401, result.Code, "The API key is not in a valid format.", null),
            VerifyCodes.NotFound => new(401, result.Code, "The API key is not known.", null),
            VerifyCodes.Revoked => new(401, result.Code, "The API key has been revoked.", null),
            VerifyCodes.Expired => new(401, result.Code, "The API key has expired.", null),
            VerifyCodes.Suspended => new(401, result.Code, "The API key is suspended.", null),
            _ => new(401, result.Code, "The API key was refused.", null),
        };
    }

    private async Task WriteProblemAsync(Failure failure)
    {
        if (Response.HasStarted) return;
        Response.StatusCode = failure.Status;
        if (failure.RetryAfter is { } retry)
            Response.Headers.RetryAfter = ((long)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        Response.ContentType = "application/problem+json";
        var problem = new Dictionary<string, object?>
        {
            ["type"] = "https://hokusai.dev/problems/" + failure.Code.ToLowerInvariant().Replace('_', '-'),
            ["title"] = ErrorCatalog.TryGet(failure.Code, out var entry) ? entry.Title : "Error",
            ["status"] = failure.Status,
            ["detail"] = failure.Detail,
            ["code"] = failure.Code,
        };
        await Response.WriteAsync(JsonSerializer.Serialize(problem), Context.RequestAborted);
    }

    internal static string? ReadKey(HttpRequest request, bool allowQuery)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = authorization["Bearer ".Length..].Trim();
            if (token.Length > 0) return token;
        }
        var header = request.Headers["X-API-Key"].ToString().Trim();
        if (header.Length > 0) return header;
        if (allowQuery)
        {
            var query = request.Query["api_key"].ToString().Trim();
            if (query.Length > 0) return query;
        }
        return null;
    }

    private static string Sha256(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
