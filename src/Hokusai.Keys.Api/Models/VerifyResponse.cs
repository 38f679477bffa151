using System.Text.Json.Serialization;

namespace Hokusai.Keys.Api.Models;

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
