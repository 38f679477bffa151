using Hokusai.Keys.Domain;
using Hokusai.Keys.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace Hokusai.Keys.Core.Tests;

public class LocalRateLimiterTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 23, 59, 0, TimeSpan.Zero));

    private LimitDecision Acquire(LocalRateLimiter limiter, RateLimitPolicy? rate, QuotaPolicy? quota, int cost = 1, string id = "k") =>
        limiter.Acquire(new LimitRequest(id, rate, quota, cost), 1);

    [Fact]
    public void The_bucket_refills_with_time()
    {
        using var limiter = new LocalRateLimiter(_time);
        var rate = new RateLimitPolicy(2, 10);
        Assert.Equal(LimitOutcome.Allowed, Acquire(limiter, rate, null).Outcome);
        Assert.Equal(LimitOutcome.Allowed, Acquire(limiter, rate, null).Outcome);
        var refused = Acquire(limiter, rate, null);
        Assert.Equal(LimitOutcome.RateLimited, refused.Outcome);
        Assert.Equal(5, refused.RetryAfterSeconds, 3);

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(LimitOutcome.Allowed, Acquire(limiter, rate, null).Outcome);
        Assert.Equal(LimitOutcome.RateLimited, Acquire(limiter, rate, null).Outcome);
    }

    [Fact]
    public void A_request_refused_by_the_quota_consumes_no_rate_and_one_refused_by_the_rate_no_quota()
    {
        using var limiter = new LocalRateLimiter(_time);
        var rate = new RateLimitPolicy(2, 60);
        var quota = new QuotaPolicy(1, QuotaPolicy.Day);
        var first = Acquire(limiter, rate, quota);
        Assert.Equal(LimitOutcome.Allowed, first.Outcome);
        Assert.Equal((0L, 1L), (first.QuotaUsedBefore, first.QuotaUsedAfter));

        var overQuota = Acquire(limiter, rate, quota);
        Assert.Equal(LimitOutcome.QuotaExceeded, overQuota.Outcome);
        Assert.Equal(60, overQuota.RetryAfterSeconds, 3); // until the next UTC day
        var afterRefusal = Acquire(limiter, rate, null); // the quota refusal left its token for this one
        Assert.Equal(LimitOutcome.Allowed, afterRefusal.Outcome);
        Assert.Equal(0, afterRefusal.Rate!.Value.Remaining);

        Assert.Equal(LimitOutcome.RateLimited, Acquire(limiter, rate, quota).Outcome);
        _time.Advance(TimeSpan.FromMinutes(1)); // a new day: the quota starts at zero
        var nextDay = Acquire(limiter, rate, quota);
        Assert.Equal(LimitOutcome.Allowed, nextDay.Outcome);
        Assert.Equal((0L, 1L), (nextDay.QuotaUsedBefore, nextDay.QuotaUsedAfter));
    }

    [Fact]
    public void Keys_draw_on_their_own_counters()
    {
        using var limiter = new LocalRateLimiter(_time);
        var rate = new RateLimitPolicy(1, 60);
        Assert.Equal(LimitOutcome.Allowed, Acquire(limiter, rate, null, id: "a").Outcome);
        Assert.Equal(LimitOutcome.RateLimited, Acquire(limiter, rate, null, id: "a").Outcome);
        Assert.Equal(LimitOutcome.Allowed, Acquire(limiter, rate, null, id: "b").Outcome);
    }

    [Fact]
    public void A_share_enforces_its_fraction_of_rate_and_quota()
    {
        using var limiter = new LocalRateLimiter(_time);
        var quota = new QuotaPolicy(10, QuotaPolicy.Month);
        var admitted = Enumerable.Range(0, 10).Count(_ => limiter.Acquire(new LimitRequest("k", null, quota, 1), 0.5).Outcome == LimitOutcome.Allowed);
        Assert.Equal(5, admitted);
    }
}
