using Hokusai.Keys.Keys;

namespace Hokusai.Keys.RateLimiting;

/// <summary>
/// One request's claim on a key's rate limit and quota. <see cref="LimitsId"/> names the counters: the first key of a
/// rotation chain, so rotating a key starts neither a fresh bucket nor a fresh quota.
/// </summary>
public readonly record struct LimitRequest(string LimitsId, RateLimitPolicy? Rate, QuotaPolicy? Quota, int Cost);

public enum LimitOutcome
{
    Allowed,
    RateLimited,
    QuotaExceeded,
    /// <summary>The limiter could not decide (Redis down in fail-closed mode).</summary>
    Unavailable,
}

/// <summary>Where a policy stands after a decision: what the RateLimit headers and the verify answer report.</summary>
public readonly record struct LimitState(long Limit, long Remaining, double ResetSeconds, long WindowSeconds);

public sealed record LimitDecision(LimitOutcome Outcome, LimitState? Rate, LimitState? Quota, double RetryAfterSeconds, long QuotaUsedBefore, long QuotaUsedAfter)
{
    public static readonly LimitDecision Unavailable = new(LimitOutcome.Unavailable, null, null, 1, 0, 0);
}

/// <summary>Decides, atomically across instances, whether a request fits its key's rate limit and quota; consumes both only when both fit.</summary>
public interface IRateLimiter
{
    ValueTask<LimitDecision> AcquireAsync(LimitRequest request, CancellationToken cancellationToken);
}
