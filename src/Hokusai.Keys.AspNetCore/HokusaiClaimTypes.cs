namespace Hokusai.Keys.AspNetCore;

/// <summary>Claims of an authenticated Hokusai key.</summary>
public static class HokusaiClaimTypes
{
    /// <summary>One claim per scope of the key.</summary>
    public const string Scope = "scope";
    public const string KeyId = "hokusai:key_id";
    public const string Owner = "hokusai:owner";
    public const string KeyName = "hokusai:key_name";
    public const string Environment = "hokusai:environment";
}
