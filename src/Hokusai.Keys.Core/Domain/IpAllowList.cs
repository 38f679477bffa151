using System.Net;
using System.Net.Sockets;

namespace Hokusai.Keys.Domain;

/// <summary>
/// CIDR allow-list. Entries are stored normalised (<c>10.1.2.3/8</c> becomes <c>10.0.0.0/8</c>, a bare address
/// becomes /32 or /128). IPv4-mapped IPv6 clients (<c>::ffff:10.0.0.1</c>) are matched as IPv4.
/// An empty list allows every address.
/// </summary>
public sealed class IpAllowList
{
    public const int MaxEntries = 100;
    public static readonly IpAllowList AllowAll = new([]);

    private readonly IPNetwork[] _networks;

    private IpAllowList(IPNetwork[] networks) => _networks = networks;

    public bool IsEmpty => _networks.Length == 0;

    /// <summary>Parses already-normalised stored entries (trusted input).</summary>
    public static IpAllowList FromStored(IReadOnlyList<string> entries)
    {
        if (entries.Count == 0) return AllowAll;
        var networks = new IPNetwork[entries.Count];
        for (var i = 0; i < entries.Count; i++) networks[i] = IPNetwork.Parse(entries[i]);
        return new IpAllowList(networks);
    }

    /// <summary>
    /// Normalises one user-supplied entry; null with a reason when it is not an address or CIDR in standard notation
    /// (<see cref="StrictIpAddress"/>; the prefix length in decimal without leading zeros, no surrounding spaces).
    /// </summary>
    public static string? TryNormalize(string? entry, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(entry) || entry.Length > 64)
        {
            error = "must be an IPv4/IPv6 address or CIDR";
            return null;
        }
        var text = entry.AsSpan();
        var slash = text.IndexOf('/');
        if (!StrictIpAddress.TryParse(slash < 0 ? text : text[..slash], out var address))
        {
            error = $"'{Truncate(entry)}' is not an IP address or CIDR in standard notation";
            return null;
        }
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = maxPrefix;
        if (slash >= 0 && !TryParsePrefixLength(text[(slash + 1)..], maxPrefix, out prefix))
        {
            error = $"'{Truncate(entry)}' has a prefix length outside 0–{maxPrefix}";
            return null;
        }
        var network = new IPNetwork(Mask(address, prefix), prefix);
        return network.ToString();
    }

    public bool Allows(IPAddress? client)
    {
        if (_networks.Length == 0) return true;
        if (client is null) return false;
        if (client.IsIPv4MappedToIPv6) client = client.MapToIPv4();
        foreach (var network in _networks)
            if (network.Contains(client)) return true;
        return false;
    }

    /// <summary>True when every network of <paramref name="other"/> lies inside one of this list's (an empty list covers everything).</summary>
    public bool Covers(IpAllowList other)
    {
        if (_networks.Length == 0) return true;
        if (other._networks.Length == 0) return false;
        foreach (var inner in other._networks)
        {
            var covered = false;
            foreach (var outer in _networks)
                covered |= outer.BaseAddress.AddressFamily == inner.BaseAddress.AddressFamily
                    && outer.PrefixLength <= inner.PrefixLength && outer.Contains(inner.BaseAddress);
            if (!covered) return false;
        }
        return true;
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bitsInByte = Math.Clamp(prefix - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bitsInByte));
        }
        return new IPAddress(bytes);
    }

    private static bool TryParsePrefixLength(ReadOnlySpan<char> digits, int maxPrefix, out int prefix)
    {
        prefix = 0;
        if (digits.Length is 0 or > 3 || (digits.Length > 1 && digits[0] == '0')) return false;
        foreach (var c in digits)
        {
            if (c is < '0' or > '9') return false;
            prefix = prefix * 10 + (c - '0');
        }
        return prefix <= maxPrefix;
    }

    private static string Truncate(string value) => value.Length <= 45 ? value : value[..45] + "…";
}
