namespace Hokusai.Keys.Security;

/// <summary>Slow, salted hashing of key secrets at rest. <see cref="Scheme"/> is stored beside each hash so the scheme can change later.</summary>
public interface ISecretHasher
{
    string Scheme { get; }

    string Hash(string secret);

    /// <summary>False for a wrong secret or a scheme this hasher does not know.</summary>
    bool Verify(string secret, string hash, string scheme);
}
