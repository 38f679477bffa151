namespace Hokusai.Keys.RateLimiting;

public sealed record LimitDecision(LimitOutcome Outcome, LimitState? Rate, LimitState? Quota, double RetryAfterSeconds, long QuotaUsedBefore, long QuotaUsedAfter)
{
    public static readonly LimitDecision Unavailable = new(LimitOutcome.Unavailable, null, null, 1, 0, 0);
}
