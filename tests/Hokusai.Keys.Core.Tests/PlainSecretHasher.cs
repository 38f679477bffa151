using Hokusai.Keys.Security;

namespace Hokusai.Keys.Core.Tests;

/// <summary>A cheap stand-in for bcrypt, for tests of management rules (not of hashing).</summary>
internal sealed class PlainSecretHasher : ISecretHasher
{
    public string Scheme => "test";
    public string Hash(string secret) => "h:" + secret.GetHashCode();
    public bool Verify(string secret, string hash, string scheme) => hash == Hash(secret);
}
