using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Hokusai.Keys.Storage;

/// <summary>
/// A position in the change feed, opaque to clients. Entries may become visible slightly out of order (each instance
/// stamps its own, and a write takes time to land), so a position is not one point: everything up to
/// <see cref="SettledTicks"/> was read, and above it the entries in <see cref="Seen"/> (by <see cref="Tag"/>) were
/// delivered already. The encoding carries a checksum, so a cut or edited cursor is refused rather than misread; it is
/// not a signature, and needs none: a cursor only says where to read, what a caller may see is decided per request.
/// </summary>
public sealed record KeyChangeCursor(long SettledTicks, IReadOnlyList<ulong> Seen)
{
    /// <summary>Most entries a cursor remembers above its settled point (keeps it well inside a URL).</summary>
    public const int MaxSeen = 200;

    private const byte Version = 1;
    private const int ChecksumLength = 4;
    private static readonly long EarliestTicks = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

    public DateTimeOffset Settled => new(SettledTicks, TimeSpan.Zero);

    /// <summary>The short identity of a feed entry the cursor remembers.</summary>
    public static ulong Tag(string entryId) => BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(entryId)));

    public string Encode()
    {
        var payload = new byte[1 + 8 + 8 * Seen.Count];
        payload[0] = Version;
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(1), SettledTicks);
        for (var i = 0; i < Seen.Count; i++) BinaryPrimitives.WriteUInt64BigEndian(payload.AsSpan(9 + 8 * i), Seen[i]);
        return Base64Url.EncodeToString([.. payload, .. Checksum(payload)]);
    }

    public static bool TryDecode(string? text, out KeyChangeCursor? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(text) || text.Length > Base64Url.GetEncodedLength(1 + 8 + 8 * MaxSeen + ChecksumLength)) return false;
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return false;
        }
        if (bytes.Length < 1 + 8 + ChecksumLength || (bytes.Length - 1 - ChecksumLength) % 8 != 0 || bytes[0] != Version) return false;
        var payload = bytes.AsSpan(0, bytes.Length - ChecksumLength);
        if (!Checksum(payload).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - ChecksumLength))) return false;
        var ticks = BinaryPrimitives.ReadInt64BigEndian(payload[1..]);
        if (ticks < EarliestTicks || ticks > DateTimeOffset.MaxValue.UtcTicks) return false;
        var seen = new ulong[(payload.Length - 9) / 8];
        for (var i = 0; i < seen.Length; i++) seen[i] = BinaryPrimitives.ReadUInt64BigEndian(payload[(9 + 8 * i)..]);
        cursor = new KeyChangeCursor(ticks, seen);
        return true;
    }

    private static byte[] Checksum(ReadOnlySpan<byte> payload) => SHA256.HashData(payload)[..ChecksumLength];
}
