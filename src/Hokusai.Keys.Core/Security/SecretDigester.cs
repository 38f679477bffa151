using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Security;

/// <summary>
/// Keyed digest (HMAC-SHA256 with the server-side pepper) of a secret that bcrypt has verified once. A cache holding
/// it cannot be used to test guesses without the pepper. <see cref="Fingerprint"/> names the pepper in cache keys, so
/// instances with different peppers (or a pepper rotation) never compare digests made with different peppers.
/// </summary>
public sealed class SecretDigester
{
    public const int DigestLength = 32;
    private const int MinimumPepperLength = 32;

    private readonly byte[] _pepper;

    // One keyed HMAC per thread: reusing it skips re-deriving the key pads on every call (the hot path's main cost).
    [ThreadStatic] private static IncrementalHash? t_hmac;
    [ThreadStatic] private static SecretDigester? t_owner;

    public SecretDigester(IOptions<SecurityOptions> options, ILogger<SecretDigester> logger)
    {
        var configured = options.Value.CachePepper;
        if (string.IsNullOrEmpty(configured))
        {
            logger.LogWarning("Hokusai:Security:CachePepper is not set; using a random per-process pepper, so instances cannot share verified digests.");
            _pepper = RandomNumberGenerator.GetBytes(32);
        }
        else if (configured.Length < MinimumPepperLength)
        {
            throw new InvalidOperationException($"Hokusai:Security:CachePepper must be at least {MinimumPepperLength} characters.");
        }
        else
        {
            _pepper = Encoding.UTF8.GetBytes(configured);
        }
        Fingerprint = FingerprintOf(_pepper);
        var previous = options.Value.PreviousCachePepper;
        AllFingerprints = string.IsNullOrEmpty(previous) ? [Fingerprint] : [Fingerprint, FingerprintOf(Encoding.UTF8.GetBytes(previous))];
    }

    /// <summary>Names the current pepper in cache keys.</summary>
    public string Fingerprint { get; }

    /// <summary>The current pepper's fingerprint and, during a rotation, the previous one's: invalidation covers both.</summary>
    public string[] AllFingerprints { get; }

    private static string FingerprintOf(byte[] pepper) => Convert.ToHexStringLower(SHA256.HashData(pepper).AsSpan(0, 4));

    public void Compute(ReadOnlySpan<char> keyId, ReadOnlySpan<char> secret, Span<byte> destination)
    {
        // Key id and secret are ASCII by format; the id binds the digest to its key.
        Span<byte> input = stackalloc byte[keyId.Length + 1 + secret.Length];
        var written = Encoding.ASCII.GetBytes(keyId, input);
        input[written++] = (byte)':';
        written += Encoding.ASCII.GetBytes(secret, input[written..]);
        var hmac = t_hmac;
        if (hmac is null || !ReferenceEquals(t_owner, this))
        {
            hmac?.Dispose();
            t_hmac = hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _pepper);
            t_owner = this;
        }
        hmac.AppendData(input[..written]);
        hmac.GetHashAndReset(destination);
    }
}
