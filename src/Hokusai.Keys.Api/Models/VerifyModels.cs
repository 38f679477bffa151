using System.Text.Json.Serialization;

namespace Hokusai.Keys.Api.Models;

/// <summary>Body of <c>POST /api/keys/verify</c>.</summary>
public sealed class VerifyRequest
{
    public string? Key { get; set; }
    public string? Ip { get; set; }
    public List<string>? RequiredScopes { get; set; }

    /// <summary><c>live</c> or <c>test</c>: a key of the other environment is answered <c>WRONG_ENVIRONMENT</c>.</summary>
    public string? RequiredEnvironment { get; set; }

    /// <summary>Units consumed from the key's rate limit and quota (default 1; 0 checks without consuming).</summary>
    public int? Cost { get; set; }
}

/// <summary>Always 200 for a well-formed request: the answer is data. <see cref="Key"/> is omitted for an unknown key.</summary>
public sealed record VerifyResponse(bool Valid, string Code)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public VerifiedKey? Key { get; init; }

    /// <summary>The key's rate limit after this request (keys with a rate limit, once the limiter ran).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LimitView? RateLimit { get; init; }

    /// <summary>The key's quota in the current period after this request.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LimitView? Quota { get; init; }

    /// <summary>For RATE_LIMITED and QUOTA_EXCEEDED: seconds until a request of this cost can succeed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? RetryAfterSeconds { get; init; }
}

/// <summary>A limit's standing: <see cref="ResetSeconds"/> is when it is whole again (bucket full, or next period).</summary>
public sealed record LimitView(long Limit, long Remaining, int ResetSeconds);

/// <summary>For a valid key every field; for a found but refused key only <see cref="Id"/> (nothing of its owner leaks).</summary>
public sealed record VerifiedKey(string Id)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Owner { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Name { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Environment { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Scopes { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>A leak of this key was reported; it opted out of automatic revocation (leakPolicy notify). Rotate it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? LeakedAt { get; init; }
}
