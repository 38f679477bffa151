
namespace Hokusai.Keys.RateLimiting;

/// <summary>
/// Rate limits and quotas in process memory. The limiter of a single-instance deployment (no Redis), and the
/// <c>local</c> failure mode of the Redis limiter, where each instance enforces its share (limit ÷ expected instances).
/// </summary>
public sealed class LocalRateLimiter(TimeProvider time) : IRateLimiter, IDisposable
{
    private readonly LocalBuckets _buckets = new();

    public ValueTask<LimitDecision> AcquireAsync(LimitRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Acquire(request, 1));

    public LimitDecision Acquire(LimitRequest request, double share)
    {
        var now = time.GetUtcNow();
        var nowMicros = now.ToUnixTimeMilliseconds() * 1000.0;
        Gcra.Result? rate = null;
        if (request.Rate is { } policy)
        {
            // Peek first: a request refused by the quota must not consume rate.
            rate = _buckets.Update("rl:" + request.LimitsId, TimeSpan.FromSeconds(policy.WindowSeconds + 1), tat =>
                (tat, Gcra.Evaluate(policy, tat, nowMicros, request.Cost, share)));
            if (!rate.Value.Allowed)
                return Decision(LimitOutcome.RateLimited, request, rate, null, now, share, rate.Value.RetryAfterMicros / 1e6);
        }

        (long Before, long After)? quota = null;
        if (request.Quota is { } q)
        {
            var limit = Math.Max(1, (long)Math.Floor(q.Limit * share));
            var end = q.PeriodEnd(now);
            quota = _buckets.Update($"q:{request.LimitsId}:{q.PeriodStart(now).UtcTicks}", end - now + TimeSpan.FromMinutes(1), used =>
                used + request.Cost <= limit ? (used + request.Cost, ((long)used, (long)used + request.Cost)) : (used, ((long)used, (long)used)));
            if (quota.Value.Before == quota.Value.After && request.Cost > 0)
                return Decision(LimitOutcome.QuotaExceeded, request, rate, quota, now, share, (end - now).TotalSeconds);
        }

        if (request.Rate is { } p2)
        {
            rate = _buckets.Update("rl:" + request.LimitsId, TimeSpan.FromSeconds(p2.WindowSeconds + 1), tat =>
            {
                var result = Gcra.Evaluate(p2, tat, nowMicros, request.Cost, share);
                return (result.Allowed ? result.NewTat : tat, result);
            });
            if (!rate.Value.Allowed)
                return Decision(LimitOutcome.RateLimited, request, rate, quota, now, share, rate.Value.RetryAfterMicros / 1e6);
        }
        return Decision(LimitOutcome.Allowed, request, rate, quota, now, share, 0);
    }

    private static LimitDecision Decision(
        LimitOutcome outcome, LimitRequest request, Gcra.Result? rate, (long Before, long After)? quota, DateTimeOffset now, double share, double retryAfter)
    {
        LimitState? rateState = rate is { } r && request.Rate is { } policy
            ? new LimitState(Math.Max(1, (long)Math.Floor(policy.Limit * share)), r.Remaining, r.ResetMicros / 1e6, policy.WindowSeconds)
            : null;
        LimitState? quotaState = null;
        if (request.Quota is { } q)
        {
            var limit = Math.Max(1, (long)Math.Floor(q.Limit * share));
            var used = quota?.After ?? 0;
            var end = q.PeriodEnd(now);
            quotaState = new LimitState(limit, Math.Max(0, limit - used), (end - now).TotalSeconds, (long)(end - q.PeriodStart(now)).TotalSeconds);
        }
        return new LimitDecision(outcome, rateState, quotaState, retryAfter, quota?.Before ?? 0, quota?.After ?? 0);
    }

    public void Dispose() => _buckets.Dispose();
}
