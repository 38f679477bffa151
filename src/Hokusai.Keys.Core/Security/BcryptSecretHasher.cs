using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Security;

/// <summary>bcrypt (BCrypt.Net-Next). Our secrets are 28 ASCII characters, well under bcrypt's 72-byte input limit.</summary>
public sealed class BcryptSecretHasher(IOptions<SecurityOptions> options, KeyMetrics metrics) : ISecretHasher
{
    public const string SchemeName = "bcrypt";

    private readonly int _workFactor = Math.Clamp(options.Value.BcryptWorkFactor, 4, 16);

    public string Scheme => SchemeName;

    public string Hash(string secret) => BCrypt.Net.BCrypt.HashPassword(secret, _workFactor);

    public bool Verify(string secret, string hash, string scheme)
    {
        if (scheme != SchemeName) return false;
        metrics.BcryptVerification();
        try
        {
            return BCrypt.Net.BCrypt.Verify(secret, hash);
        }
        catch (BCrypt.Net.SaltParseException)
        {
            return false;
        }
    }
}
