using System.Text.Json.Serialization;

namespace Hokusai.Keys.Client;

/// <summary>Outcome codes of verify.</summary>
public static class VerifyCodes
{
    public const string Valid = "VALID";
    public const string Malformed = "MALFORMED";
    public const string NotFound = "NOT_FOUND";
    public const string Revoked = "REVOKED";
    public const string Expired = "EXPIRED";
    public const string IpNotAllowed = "IP_NOT_ALLOWED";
    public const string InsufficientScope = "INSUFFICIENT_SCOPE";
    public const string RateLimited = "RATE_LIMITED";
    public const string QuotaExceeded = "QUOTA_EXCEEDED";
    public const string TooManyFailures = "TOO_MANY_FAILURES";
    public const string MissingKey = "MISSING_KEY";
    public const string Unavailable = "UNAVAILABLE";
}

/// <summary>The answer of <c>POST /api/keys/verify</c>: always data (a refused key is not an error).</summary>
public sealed class VerifyResult
{
    public bool Valid { get; init; }
    public string Code { get; init; } = "";

    /// <summary>For a valid key every field; for a found but refused key only the id; null for an unknown key.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public VerifiedKey? Key { get; init; }

    /// <summary>The key's rate-limit bucket after this call, when the key has a rate limit.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RateLimitState? RateLimit { get; init; }

    /// <summary>The key's quota after this call, when the key has a quota.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public QuotaState? Quota { get; init; }

    public override string ToString() => $"VerifyResult {Code}";
}

public sealed class VerifiedKey
{
    public string Id { get; init; } = "";
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Owner { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Name { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Environment { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Scopes { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? ExpiresAt { get; init; }
}

/// <summary>A rate-limit bucket: <see cref="Remaining"/> tokens of <see cref="Limit"/>, full again in <see cref="ResetSeconds"/>.</summary>
public sealed record RateLimitState(long Limit, long Remaining, double ResetSeconds);

/// <summary>A quota: <see cref="Remaining"/> of <see cref="Limit"/> this period, which ends in <see cref="ResetSeconds"/>.</summary>
public sealed record QuotaState(long Limit, long Remaining, double ResetSeconds)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Period { get; init; }
}
