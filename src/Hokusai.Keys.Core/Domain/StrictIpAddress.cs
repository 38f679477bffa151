using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Hokusai.Keys.Domain;

/// <summary>
/// The one parser of IP address text: dotted-quad decimal IPv4 (four parts 0–255, no leading zeros) and IPv6 in the
/// standard text form (RFC 4291, including an embedded dotted quad such as <c>::ffff:10.0.0.1</c>).
/// <see cref="IPAddress.TryParse(string, out IPAddress)"/> also reads octal, hex and shortened IPv4 (<c>012.0.0.1</c>
/// is 10.0.0.1, <c>0x7f.1</c> and <c>167837187</c> are addresses), zone ids, brackets and ports: text that means
/// another address than a reader of it would expect.
/// </summary>
public static class StrictIpAddress
{
    private static readonly SearchValues<char> Ipv6Characters = SearchValues.Create("0123456789ABCDEFabcdef:.");

    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text.Contains(':')) return TryParseIpv6(text, out address);
        Span<byte> bytes = stackalloc byte[4];
        if (!TryParseDottedQuad(text, bytes)) return false;
        address = new IPAddress(bytes);
        return true;
    }

    private static bool TryParseIpv6(ReadOnlySpan<char> text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        // Hex groups, colons and an optional trailing dotted quad only: no brackets, ports, zone ids or spaces.
        if (text.Length > 45 || text.ContainsAnyExcept(Ipv6Characters)) return false;
        var lastColon = text.LastIndexOf(':');
        if (text[(lastColon + 1)..].Contains('.') && !TryParseDottedQuad(text[(lastColon + 1)..], stackalloc byte[4])) return false;
        if (text[..(lastColon + 1)].Contains('.')) return false;
        return IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetworkV6;
    }

    private static bool TryParseDottedQuad(ReadOnlySpan<char> text, Span<byte> bytes)
    {
        var part = 0;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != '.') continue;
            if (part == 4 || !TryParseOctet(text[start..i], out bytes[part])) return false;
            part++;
            start = i + 1;
        }
        return part == 4;
    }

    private static bool TryParseOctet(ReadOnlySpan<char> digits, out byte value)
    {
        value = 0;
        if (digits.Length is 0 or > 3 || (digits.Length > 1 && digits[0] == '0')) return false;
        var number = 0;
        foreach (var c in digits)
        {
            if (c is < '0' or > '9') return false;
            number = number * 10 + (c - '0');
        }
        if (number > 255) return false;
        value = (byte)number;
        return true;
    }
}
