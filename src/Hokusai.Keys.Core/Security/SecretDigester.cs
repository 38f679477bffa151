using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Security;

/// <summary>
/// Keyed digest (HMAC-SHA256 with the server-side pepper) of a secret that bcrypt has verified once. A cache holding
/// it cannot be used to test guesses without the pepper. The pepper also keys the MAC of shared cache entries
/// (<see cref="DeriveKey"/>), and <see cref="Fingerprint"/> names it in them, so an instance never compares digests
/// made with another pepper (docs/security.md).
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
            logger.LogWarning("Hokusai:Security:CachePepper is not set; using a random per-process pepper: answers stay correct, but instances cannot share cached keys (each re-verifies with bcrypt).");
            _pepper = RandomNumberGenerator.GetBytes(32);
        }
        else if (ProblemWith(configured) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }
        else
        {
            _pepper = Encoding.UTF8.GetBytes(configured);
        }
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(_pepper).AsSpan(0, 4));
    }

    /// <summary>Why a configured pepper cannot be used, or null when it can (hosts check it at start, before any request).</summary>
    public static string? ProblemWith(string configured)
    {
        // App Service passes an unresolvable Key Vault reference through as its literal text: a public string.
        if (configured.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase))
            return "Hokusai:Security:CachePepper is an unresolved Key Vault reference; check the app's access to the vault.";
        if (configured.Length < MinimumPepperLength)
            return $"Hokusai:Security:CachePepper must be at least {MinimumPepperLength} characters.";
        return null;
    }

    /// <summary>Names the pepper (not secret: four bytes of its SHA-256) in the shared cache's entries.</summary>
    public string Fingerprint { get; }

    /// <summary>
    /// A key for <paramref name="purpose"/> derived from the pepper (HMAC-SHA256(pepper, purpose)): the pepper itself
    /// keys only the digests, and each other use gets a key of its own.
    /// </summary>
    public byte[] DeriveKey(string purpose) => HMACSHA256.HashData(_pepper, Encoding.UTF8.GetBytes(purpose));

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
