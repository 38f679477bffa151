namespace Hokusai.Keys.Domain;

/// <summary>A freshly generated key. <see cref="ToString"/> is redacted so the plaintext cannot reach a log by accident.</summary>
public sealed class GeneratedApiKey(string plaintext, string keyId, KeyEnvironment environment)
{
    public string Plaintext { get; } = plaintext;
    public string KeyId { get; } = keyId;
    public KeyEnvironment Environment { get; } = environment;

    /// <summary>The secret part: the only part that is hashed and stored (as bcrypt).</summary>
    public string Secret => Plaintext.Substring(ApiKeyFormat.PrefixLength + ApiKeyFormat.KeyIdLength, ApiKeyFormat.SecretLength);

    public override string ToString() => ApiKeyFormat.DisplayPrefix(Environment, KeyId) + "…(redacted)";
}
