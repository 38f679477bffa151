using System.Net;
using Hokusai.Keys.Domain;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.RateLimiting;

/// <summary>
/// Counts failed verifications (per instance) to blunt key-guessing floods. Failures count against the caller — the
/// connection's address, or the client a trusted proxy names in X-Forwarded-For — never against an address named in
/// a request body, so a body can neither spread guesses over many addresses nor lock someone else out. A trusted
/// gateway that names the end user it forwards is counted twice: per (gateway, end user) with the per-address budget,
/// so one abusive end user locks out only itself, and per gateway with the larger gateway budget.
/// An IPv6 address counts as its /64 (what one subscriber or host is given, so rotating addresses within it does not
/// escape the count) and an IPv4-mapped IPv6 address as the IPv4 address it maps.
/// </summary>
public sealed class FailureLimiter(IOptions<RateLimitingOptions> options, TimeProvider time)
{
    private readonly GcraCounters<Counted> _counters = new(time);
    private readonly RateLimitPolicy _perAddress = new(Math.Max(1, options.Value.FailuresPerIpPerMinute), 60);
    private readonly RateLimitPolicy _perGateway = new(Math.Max(1, options.Value.FailuresPerGatewayPerMinute), 60);

    /// <summary>One counter: a caller alone, a gateway's end user, or a gateway's total.</summary>
    private readonly record struct Counted(IPAddress Caller, IPAddress? EndUser, bool GatewayTotal);

    /// <summary>True when one more failure from <paramref name="caller"/> (for <paramref name="gatewayEndUser"/>, when a trusted gateway names one) would exceed a limit.</summary>
    public bool IsBlocked(IPAddress caller, IPAddress? gatewayEndUser = null)
    {
        caller = Bucket(caller);
        return gatewayEndUser is null
            ? _counters.IsExhausted(new(caller, null, false), _perAddress)
            : _counters.IsExhausted(new(caller, Bucket(gatewayEndUser), false), _perAddress) || _counters.IsExhausted(new(caller, null, true), _perGateway);
    }

    public void RecordFailure(IPAddress caller, IPAddress? gatewayEndUser = null)
    {
        caller = Bucket(caller);
        gatewayEndUser = gatewayEndUser is null ? null : Bucket(gatewayEndUser);
        if (gatewayEndUser is null)
        {
            _counters.TryCount(new(caller, null, false), _perAddress);
            return;
        }
        _counters.TryCount(new(caller, gatewayEndUser, false), _perAddress);
        _counters.TryCount(new(caller, null, true), _perGateway);
    }

    /// <summary>The address failures are counted for: IPv4 as is, IPv4-mapped IPv6 as IPv4, other IPv6 as its /64 prefix.</summary>
    internal static IPAddress Bucket(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return address;
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes);
    }
}
