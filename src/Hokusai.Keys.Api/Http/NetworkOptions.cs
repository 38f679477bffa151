namespace Hokusai.Keys.Api.Http;

/// <summary>Settings section <c>Hokusai:Network</c>.</summary>
public sealed class NetworkOptions
{
    public const string SectionName = "Hokusai:Network";

    /// <summary>
    /// Comma-separated CIDRs of proxies whose <c>X-Forwarded-For</c> is believed (e.g. the gateway in front of us, or
    /// loopback for the Functions host). From anyone else the header is ignored and the connection's address is used.
    /// </summary>
    public string TrustedProxies { get; set; } = "";

    /// <summary>
    /// Comma-separated CIDRs of callers of <c>/api/keys/verify</c> that forward their end users' addresses in the body's
    /// <c>ip</c> (e.g. an API gateway): their failed verifications count per (gateway, end user) and, with the larger
    /// <c>Hokusai:RateLimiting:FailuresPerGatewayPerMinute</c>, per gateway. From anyone else the body's <c>ip</c> is
    /// used only for allow-lists, and failures count against the caller.
    /// </summary>
    public string TrustedGateways { get; set; } = "";
}
