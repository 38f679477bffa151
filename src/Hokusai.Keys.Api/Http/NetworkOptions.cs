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
}
