using System.Diagnostics.CodeAnalysis;
using System.Net;
using Hokusai.Keys.Domain;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Api.Http;

/// <summary>
/// The client's address: the connection's peer, or — only when the peer is a trusted proxy — the right-most
/// <c>X-Forwarded-For</c> entry that is not itself a trusted proxy (entries further left are client-controlled).
/// </summary>
public sealed class ClientIpResolver
{
    private readonly IpAllowList _trusted;
    private readonly IpAllowList _gateways;
    private readonly bool _hasGateways;

    public ClientIpResolver(IOptions<NetworkOptions> options)
    {
        var proxies = Parse(options.Value.TrustedProxies, nameof(NetworkOptions.TrustedProxies));
        _trusted = IpAllowList.FromStored(proxies);
        HasTrustedProxies = proxies.Count > 0;
        var gateways = Parse(options.Value.TrustedGateways, nameof(NetworkOptions.TrustedGateways));
        _gateways = IpAllowList.FromStored(gateways);
        _hasGateways = gateways.Count > 0;
    }

    public bool HasTrustedProxies { get; }

    /// <summary>True when <paramref name="caller"/> (a resolved client address) forwards its end users' addresses (<see cref="NetworkOptions.TrustedGateways"/>).</summary>
    public bool IsTrustedGateway(IPAddress? caller) => _hasGateways && caller is not null && _gateways.Allows(caller);

    private static List<string> Parse(string cidrs, string setting)
    {
        var entries = new List<string>();
        foreach (var raw in cidrs.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries))
        {
            var normalized = IpAllowList.TryNormalize(raw, out var error)
                ?? throw new InvalidOperationException($"{NetworkOptions.SectionName}:{setting}: {error}");
            entries.Add(normalized);
        }
        return entries;
    }

    public IPAddress? Resolve(HttpContext context)
    {
        var peer = context.Connection.RemoteIpAddress;
        if (!HasTrustedProxies || peer is null || !_trusted.Allows(peer)) return peer;

        var forwarded = context.Request.Headers["X-Forwarded-For"];
        if (forwarded.Count == 0) return peer;
        var hops = string.Join(',', forwarded.ToArray()).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (var i = hops.Length - 1; i >= 0; i--)
        {
            if (!TryParseHop(hops[i], out var hop)) return peer; // garbage from a trusted hop: do not guess
            if (!_trusted.Allows(hop)) return hop;
            peer = hop;
        }
        return peer;
    }

    /// <summary>
    /// An address as proxies write it: bare, <c>1.2.3.4:port</c> (Azure's front ends add the port) or <c>[v6]:port</c>;
    /// the address in standard notation only (<see cref="StrictIpAddress"/>): <c>0313.0.113.7</c> is garbage, not 203.0.113.7.
    /// </summary>
    private static bool TryParseHop(string hop, [NotNullWhen(true)] out IPAddress? address)
    {
        if (StrictIpAddress.TryParse(hop, out address)) return true;
        if (hop.StartsWith('[') && hop.IndexOf(']') is > 1 and var close) return StrictIpAddress.TryParse(hop.AsSpan(1, close - 1), out address);
        var colon = hop.LastIndexOf(':');
        return colon > 0 && hop.IndexOf(':') == colon && StrictIpAddress.TryParse(hop.AsSpan(0, colon), out address);
    }
}
