using System.Text.Json.Serialization;

namespace Hokusai.Keys.Client;

/// <summary>Outcome codes of verify (the shared <see cref="ErrorCodes"/>; every code with its status: <see cref="ErrorCatalog"/>).</summary>
public static class VerifyCodes
{
    public const string Valid = ErrorCodes.Valid;
    public const string Malformed = ErrorCodes.Malformed;
    public const string NotFound = ErrorCodes.NotFound;
    public const string Revoked = ErrorCodes.Revoked;
    public const string Expired = ErrorCodes.Expired;
    public const string WrongEnvironment = ErrorCodes.WrongEnvironment;
    public const string IpNotAllowed = ErrorCodes.IpNotAllowed;
    public const string InsufficientScope = ErrorCodes.InsufficientScope;
    public const string RateLimited = ErrorCodes.RateLimited;
    public const string QuotaExceeded = ErrorCodes.QuotaExceeded;
    public const string TooManyFailures = ErrorCodes.TooManyFailures;
    public const string MissingKey = ErrorCodes.MissingKey;
    public const string Unavailable = ErrorCodes.Unavailable;
    public const string RateLimiterUnavailable = ErrorCodes.RateLimiterUnavailable;
    public const string VerificationBusy = ErrorCodes.VerificationBusy;
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

    /// <summary>A leak of this key was reported but its leak policy is <c>notify</c>: it still works. Rotate it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? LeakedAt { get; init; }
}

/// <summary>A rate-limit bucket: <see cref="Remaining"/> tokens of <see cref="Limit"/>, full again in <see cref="ResetSeconds"/>.</summary>
public sealed record RateLimitState(long Limit, long Remaining, double ResetSeconds);

/// <summary>A quota: <see cref="Remaining"/> of <see cref="Limit"/> this period, which ends in <see cref="ResetSeconds"/>.</summary>
public sealed record QuotaState(long Limit, long Remaining, double ResetSeconds)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Period { get; init; }
}
