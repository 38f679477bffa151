using System.Security.Cryptography;
using System.Text;

namespace Hokusai.Keys;

/// <summary>
/// The owner dimension of metrics: one of <see cref="Count"/> buckets (<c>o00</c>…<c>o63</c>) from a hash of the owner,
/// so cardinality stays bounded whatever the number of owners, and no owner name reaches telemetry. An alert names a
/// bucket; the runbook (docs/operations.md) maps it back to the few owners in it with <see cref="Of"/>.
/// </summary>
public static class OwnerBucket
{
    public const int Count = 64;

    /// <summary>The bucket of an answer about no key of ours.</summary>
    public const string None = "none";

    // Precomputed: validations tag every answer, and a string per call would allocate on the hot path.
    private static readonly string[] Names = Enumerable.Range(0, Count).Select(i => "o" + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <summary>The bucket of <paramref name="owner"/>: the first bytes of its SHA-256, so every instance and tool agrees.</summary>
    public static string Of(string? owner)
    {
        if (string.IsNullOrEmpty(owner)) return None;
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var maxBytes = Encoding.UTF8.GetMaxByteCount(owner.Length);
        Span<byte> bytes = maxBytes <= 512 ? stackalloc byte[maxBytes] : new byte[maxBytes];
        SHA256.HashData(bytes[..Encoding.UTF8.GetBytes(owner, bytes)], hash);
        return Names[System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(hash) % Count];
    }
}
