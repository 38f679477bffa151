using Hokusai.Keys.Client;
using Microsoft.AspNetCore.Authentication;

namespace Hokusai.Keys.AspNetCore;

/// <summary>Options of the Hokusai API key authentication scheme.</summary>
public sealed class HokusaiApiKeyOptions : AuthenticationSchemeOptions
{
    /// <summary>How the SDK reaches the Hokusai API (endpoint, HttpClient/handler, timeout). Verify needs no management key.</summary>
    public HokusaiKeysClientOptions Client { get; set; } = new();

    /// <summary>How long a valid answer is reused (default 30 s; zero disables). Keys with a rate limit or quota are never cached.</summary>
    public TimeSpan ValidCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a refused answer is reused (default 5 s; zero disables). Rate-limit answers are never cached.</summary>
    public TimeSpan InvalidCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Also read the key from the <c>api_key</c> query parameter (default true).</summary>
    public bool AllowQueryString { get; set; } = true;

    /// <summary>Send the caller's IP (<c>HttpContext.Connection.RemoteIpAddress</c>) to verify, for IP allow-lists (default true).</summary>
    public bool ForwardClientIp { get; set; } = true;

    /// <summary>
    /// A key held by the service itself (not a caller's). With scope <c>usage:report</c> (or <c>keys:watch</c>) the
    /// handler reports the uses it answers from its cache, so the platform's usage counts and <c>lastUsedAt</c> include
    /// them: counted per key and client address, sent at most every second to <c>POST /api/usage/report</c>. Null
    /// (default): cached answers are not reported. The key may report only keys of its own owner and environment (any, for admin).
    /// </summary>
    public string? ServiceKey { get; set; }

    /// <summary>Scopes every request must have; checked by verify (403 INSUFFICIENT_SCOPE). Prefer policies with <c>RequireScope</c>.</summary>
    public IList<string> RequiredScopes { get; } = [];
}
