using Hokusai.Keys.Domain;

namespace Hokusai.Keys.RateLimiting;

/// <summary>
/// The rate-limit semantics, in one place for the in-memory limiter (the Redis script in the Azure adapters computes
/// the same): a token bucket of capacity <c>limit</c> refilled continuously at <c>limit / window</c> per second,
/// computed as GCRA with one number of state, the theoretical arrival time (TAT), in microseconds.
/// </summary>
public static class Gcra
{
    public readonly record struct Result(bool Allowed, double NewTat, long Remaining, double ResetMicros, double RetryAfterMicros);

    public static Result Evaluate(RateLimitPolicy policy, double storedTat, double nowMicros, int cost, double share = 1)
    {
        var limit = Math.Max(1, Math.Floor(policy.Limit * share));
        var window = policy.WindowSeconds * 1_000_000.0;
        var interval = window / limit;
        var tat = Math.Max(storedTat, nowMicros);
        var newTat = tat + cost * interval;
        if (newTat - nowMicros <= window)
            return new Result(true, newTat, (long)Math.Floor((window - (newTat - nowMicros)) / interval), newTat - nowMicros, 0);
        return new Result(false, tat, Math.Max(0, (long)Math.Floor((window - (tat - nowMicros)) / interval)), tat - nowMicros, newTat - window - nowMicros);
    }
}
