using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace Hokusai.Keys.Domain;

/// <summary>
/// The key format: <c>hk_{live|test}_{keyId:16}{secret:28}{crc32:6}</c>, all base62 after the prefix.
/// The key id is public and makes validation one point read; the secret carries 166 bits from a CSPRNG;
/// the CRC32 checksum lets us (and secret scanners) reject a mistyped or forged key without any I/O.
/// </summary>
public static class ApiKeyFormat
{
    public const int KeyIdLength = 16;
    public const int SecretLength = 28;
    public const int ChecksumLength = 6;
    public const int PrefixLength = 8; // "hk_live_" or "hk_test_"
    public const int TotalLength = PrefixLength + KeyIdLength + SecretLength + ChecksumLength;

    /// <summary>The regular expression documented for secret scanners (docs/key-format.md).</summary>
    public const string ScannerPattern = @"\bhk_(live|test)_[0-9A-Za-z]{50}\b";

    /// <summary>Characters of the key id shown in the public <c>prefix</c> field.</summary>
    public const int DisplayedIdCharacters = 4;

    public static string PrefixFor(KeyEnvironment environment) => environment == KeyEnvironment.Test ? "hk_test_" : "hk_live_";

    /// <summary>The non-secret display prefix, e.g. <c>hk_live_Ab12</c>.</summary>
    public static string DisplayPrefix(KeyEnvironment environment, string keyId) =>
        PrefixFor(environment) + keyId[..DisplayedIdCharacters];

    public static string NewKeyId() => RandomNumberGenerator.GetString(Base62.Alphabet, KeyIdLength);

    /// <summary>Creates a new key for an existing or fresh key id. The result is the only copy of the plaintext.</summary>
    public static GeneratedApiKey Generate(KeyEnvironment environment, string? keyId = null)
    {
        keyId ??= NewKeyId();
        if (!IsValidKeyId(keyId)) throw new ArgumentException("Key ids are 16 base62 characters.", nameof(keyId));
        var secret = RandomNumberGenerator.GetString(Base62.Alphabet, SecretLength);
        var body = PrefixFor(environment) + keyId + secret;
        Span<char> checksum = stackalloc char[ChecksumLength];
        Base62.EncodeFixed(Checksum(body), checksum);
        return new GeneratedApiKey(string.Concat(body, checksum), keyId, environment);
    }

    public static bool IsValidKeyId(ReadOnlySpan<char> keyId)
    {
        return keyId.Length == KeyIdLength && Base62.AreAllBase62(keyId);
    }

    /// <summary>Checks shape and checksum with no allocation and no I/O.</summary>
    public static bool TryParse(string? candidate, out ParsedApiKey key)
    {
        key = default;
        if (candidate is null || candidate.Length != TotalLength) return false;
        var span = candidate.AsSpan();
        KeyEnvironment environment;
        if (span.StartsWith("hk_live_", StringComparison.Ordinal)) environment = KeyEnvironment.Live;
        else if (span.StartsWith("hk_test_", StringComparison.Ordinal)) environment = KeyEnvironment.Test;
        else return false;

        if (!Base62.AreAllBase62(span[PrefixLength..])) return false;

        if (!Base62.TryDecodeFixed(span[^ChecksumLength..], out var stated) || stated > uint.MaxValue) return false;
        if (Checksum(span[..^ChecksumLength]) != stated) return false;

        key = new ParsedApiKey(candidate, environment);
        return true;
    }

    private static uint Checksum(ReadOnlySpan<char> body)
    {
        // Keys are ASCII by construction (checked before this is called on parse).
        Span<byte> ascii = stackalloc byte[TotalLength];
        var written = Encoding.ASCII.GetBytes(body, ascii);
        Span<byte> crc = stackalloc byte[4];
        Crc32.Hash(ascii[..written], crc);
        return BinaryPrimitives.ReadUInt32LittleEndian(crc);
    }
}
