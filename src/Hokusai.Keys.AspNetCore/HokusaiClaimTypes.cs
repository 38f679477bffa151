namespace Hokusai.Keys.AspNetCore;

/// <summary>Claims of an authenticated Hokusai key.</summary>
public static class HokusaiClaimTypes
{
    /// <summary>One claim per scope of the key.</summary>
    public const string Scope = "scope";
    /// <summary>The key's id.</summary>
    public const string KeyId = "hokusai:key_id";
    /// <summary>Who the key belongs to.</summary>
    public const string Owner = "hokusai:owner";
    /// <summary>The key's name.</summary>
    public const string KeyName = "hokusai:key_name";
    /// <summary><c>live</c> or <c>test</c>.</summary>
    public const string Environment = "hokusai:environment";
}
