namespace Hokusai.Keys.Domain;

/// <summary>A key that passed the format and checksum check. Holds the caller's string; never logged.</summary>
public readonly struct ParsedApiKey(string value, KeyEnvironment environment)
{
    private readonly string _value = value;

    public KeyEnvironment Environment { get; } = environment;

    public ReadOnlySpan<char> KeyIdSpan => _value.AsSpan(ApiKeyFormat.PrefixLength, ApiKeyFormat.KeyIdLength);

    public string KeyId => KeyIdSpan.ToString();

    /// <summary>The secret part (what bcrypt and the cache digest cover).</summary>
    public ReadOnlySpan<char> Secret => _value.AsSpan(ApiKeyFormat.PrefixLength + ApiKeyFormat.KeyIdLength, ApiKeyFormat.SecretLength);

    public override string ToString() => ApiKeyFormat.PrefixFor(Environment) + KeyIdSpan.ToString() + "…(redacted)";
}
