using Hokusai.Keys.Client;
using Microsoft.AspNetCore.Authentication;

namespace Hokusai.Keys.AspNetCore;

/// <summary>Options of the Hokusai API key authentication scheme.</summary>
public sealed class HokusaiApiKeyOptions : AuthenticationSchemeOptions
{
    /// <summary>How the SDK reaches the Hokusai API (endpoint, HttpClient/handler, timeout). Verify needs no management key.</summary>
    public HokusaiKeysClientOptions Client { get; set; } = new();

    /// <summary>
    /// How long a valid answer is reused when the handler does not follow the change feed (no <see cref="ServiceKey"/>, the
    /// feed unreachable, or a key the feed does not cover): default 1 s, so a revocation or scope change reaches this
    /// service within about a second; zero disables. Keys with a rate limit or quota are never cached.
    /// </summary>
    public TimeSpan ValidCacheDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A key held by the service itself (not a caller's); never sent anywhere but the Hokusai API. With <c>keys:watch</c>
    /// the handler follows the change feed (<c>GET /api/keys/changes</c>) in the background, evicts the answers of keys
    /// that changed, and may then reuse valid answers for <see cref="FollowedValidCacheDuration"/>. With
    /// <c>usage:report</c> (or <c>keys:watch</c>) it reports the uses it answers from its cache, per key and client
    /// address, at most every second to <c>POST /api/usage/report</c>, so the platform's usage and <c>lastUsedAt</c>
    /// include them. Either works only for keys of the service key's own owner and environment (any, for admin).
    /// </summary>
    public string? ServiceKey { get; set; }

    /// <summary>
    /// How long a valid answer is reused while the change feed is followed and answers (default 5 minutes). Only for keys
    /// the feed covers (the service key's owner and environment, or every key for an admin service key); when the feed
    /// fails, answers fall back to <see cref="ValidCacheDuration"/> until it is back.
    /// </summary>
    public TimeSpan FollowedValidCacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a refused answer is reused (default 5 s; zero disables). Rate-limit answers are never cached.</summary>
    public TimeSpan InvalidCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Also read the key from the <c>api_key</c> query parameter (default true).</summary>
    public bool AllowQueryString { get; set; } = true;

    /// <summary>Send the caller's IP (<c>HttpContext.Connection.RemoteIpAddress</c>) to verify, for IP allow-lists (default true).</summary>
    public bool ForwardClientIp { get; set; } = true;

    /// <summary>Scopes every request must have; checked by verify (403 INSUFFICIENT_SCOPE). Prefer policies with <c>RequireScope</c>.</summary>
    public IList<string> RequiredScopes { get; } = [];
}
