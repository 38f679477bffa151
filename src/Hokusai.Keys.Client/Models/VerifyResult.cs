using System.Text.Json.Serialization;

namespace Hokusai.Keys.Client.Models;

/// <summary>The answer of <c>POST /api/keys/verify</c>: always data (a refused key is not an error).</summary>
public sealed class VerifyResult
{
    /// <summary>Whether the key is valid and allowed (<see cref="Code"/> is <see cref="VerifyCodes.Valid"/>).</summary>
    public bool Valid { get; init; }
    /// <summary>The outcome (<see cref="VerifyCodes"/>).</summary>
    public string Code { get; init; } = "";

    /// <summary>For a valid key every field; for a found but refused key only the id; null for an unknown key.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public VerifiedApiKey? Key { get; init; }

    /// <summary>The key's rate-limit bucket after this call, when the key has a rate limit.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RateLimitState? RateLimit { get; init; }

    /// <summary>The key's quota after this call, when the key has a quota.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public QuotaState? Quota { get; init; }

    /// <summary>The outcome code; never the key.</summary>
    public override string ToString() => $"VerifyResult {Code}";
}
