using System.Collections.Concurrent;
using Hokusai.Keys.Domain;

namespace Hokusai.Keys.RateLimiting;

/// <summary>
/// Refusals the shared limiter gave, remembered until the retry-after they named, so that the requests a key sends
/// meanwhile are refused here instead of each asking Redis again. This cannot admit anything: a refused claim fits no
/// sooner than its retry-after on any instance (other instances' admissions only push that time later, and a quota's
/// counter only grows within its period). A remembered refusal answers only claims on the same policies that cost at
/// least as much; it is timed from before the question was sent, so it ends no later than the limiter's own answer.
/// </summary>
public sealed class RecentRefusals(TimeProvider time)
{
    /// <summary>Beyond this many keys refused at once, further refusals are not remembered (they still go to Redis).</summary>
    public const int Capacity = 100_000;

    private readonly ConcurrentDictionary<string, Refusal> _refusals = new(StringComparer.Ordinal);

    public int Count => _refusals.Count;

    /// <summary>The refusal to answer <paramref name="request"/> with, if one remembered for its key still holds.</summary>
    public bool TryRefuse(in LimitRequest request, out LimitDecision decision)
    {
        decision = null!;
        if (_refusals.IsEmpty || !_refusals.TryGetValue(request.LimitsId, out var refusal)) return false;
        var elapsed = time.GetElapsedTime(refusal.AskedAt).TotalSeconds;
        var left = refusal.Decision.RetryAfterSeconds - elapsed;
        if (left <= 0)
        {
            _refusals.TryRemove(KeyValuePair.Create(request.LimitsId, refusal));
            return false;
        }
        if (request.Cost < refusal.Cost || request.Rate != refusal.Rate || request.Quota != refusal.Quota) return false;
        var d = refusal.Decision;
        decision = d with
        {
            Rate = d.Rate is { } rate ? rate with { ResetSeconds = Math.Max(0, rate.ResetSeconds - elapsed) } : null,
            Quota = d.Quota is { } quota ? quota with { ResetSeconds = Math.Max(0, quota.ResetSeconds - elapsed) } : null,
            RetryAfterSeconds = left,
        };
        return true;
    }

    /// <summary>
    /// Remembers <paramref name="decision"/> if it refused <paramref name="request"/>; <paramref name="askedAt"/> is a
    /// <see cref="TimeProvider.GetTimestamp"/> taken before the limiter was asked.
    /// </summary>
    public void Remember(in LimitRequest request, LimitDecision decision, long askedAt)
    {
        if (decision.Outcome is not (LimitOutcome.RateLimited or LimitOutcome.QuotaExceeded) || decision.RetryAfterSeconds <= 0) return;
        if (_refusals.Count >= Capacity && !SweepExpired()) return;
        _refusals[request.LimitsId] = new Refusal(decision, request.Rate, request.Quota, request.Cost, askedAt);
    }

    private bool SweepExpired()
    {
        foreach (var (id, refusal) in _refusals)
        {
            if (time.GetElapsedTime(refusal.AskedAt).TotalSeconds >= refusal.Decision.RetryAfterSeconds)
                _refusals.TryRemove(KeyValuePair.Create(id, refusal));
        }
        return _refusals.Count < Capacity;
    }

    private sealed record Refusal(LimitDecision Decision, RateLimitPolicy? Rate, QuotaPolicy? Quota, int Cost, long AskedAt);
}
