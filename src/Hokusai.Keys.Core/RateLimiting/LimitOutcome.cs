namespace Hokusai.Keys.RateLimiting;

public enum LimitOutcome
{
    Allowed,
    RateLimited,
    QuotaExceeded,
    /// <summary>The limiter could not decide (Redis down in fail-closed mode).</summary>
    Unavailable,
}
