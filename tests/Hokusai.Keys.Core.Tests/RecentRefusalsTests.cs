using Hokusai.Keys.Domain;
using Hokusai.Keys.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace Hokusai.Keys.Core.Tests;

public class RecentRefusalsTests
{
    private static readonly RateLimitPolicy Rate = new(2, 60);
    private static readonly LimitRequest Claim = new("key1", Rate, null, 1);

    private static LimitDecision RateLimited(double retryAfter) =>
        new(LimitOutcome.RateLimited, new LimitState(2, 0, 30, 60), null, retryAfter, 0, 0);

    [Fact]
    public void A_refusal_answers_the_key_until_its_retry_after_counted_from_when_the_limiter_was_asked()
    {
        var time = new FakeTimeProvider();
        var refusals = new RecentRefusals(time);
        var askedAt = time.GetTimestamp();
        time.Advance(TimeSpan.FromSeconds(1)); // the limiter's answer took a second
        refusals.Remember(Claim, RateLimited(10), askedAt);

        Assert.True(refusals.TryRefuse(Claim, out var decision));
        Assert.Equal(LimitOutcome.RateLimited, decision.Outcome);
        Assert.Equal(9, decision.RetryAfterSeconds, 6);
        Assert.Equal(29, decision.Rate!.Value.ResetSeconds, 6);

        time.Advance(TimeSpan.FromSeconds(8.5));
        Assert.True(refusals.TryRefuse(Claim, out decision));
        Assert.Equal(0.5, decision.RetryAfterSeconds, 6);

        time.Advance(TimeSpan.FromSeconds(0.5)); // the limiter's own retry-after has passed: ask it again
        Assert.False(refusals.TryRefuse(Claim, out _));
        Assert.Equal(0, refusals.Count);
    }

    [Fact]
    public void Only_claims_on_the_same_policies_costing_at_least_as_much_are_answered()
    {
        var time = new FakeTimeProvider();
        var refusals = new RecentRefusals(time);
        refusals.Remember(Claim with { Cost = 3 }, RateLimited(10), time.GetTimestamp());

        Assert.True(refusals.TryRefuse(Claim with { Cost = 3 }, out _));
        Assert.True(refusals.TryRefuse(Claim with { Cost = 5 }, out _));
        Assert.False(refusals.TryRefuse(Claim with { Cost = 1 }, out _)); // a cheaper claim may fit sooner
        Assert.False(refusals.TryRefuse(Claim with { Cost = 3, Rate = new RateLimitPolicy(10, 60) }, out _));
        Assert.False(refusals.TryRefuse(Claim with { Cost = 3, Quota = new QuotaPolicy(100, "day") }, out _));
        Assert.False(refusals.TryRefuse(Claim with { LimitsId = "key2", Cost = 3 }, out _));
    }

    [Fact]
    public void Quota_refusals_hold_to_the_end_of_the_period_and_admissions_are_not_remembered()
    {
        var time = new FakeTimeProvider();
        var refusals = new RecentRefusals(time);
        var quota = new QuotaPolicy(5, "day");
        var claim = new LimitRequest("key1", null, quota, 1);
        refusals.Remember(claim, new LimitDecision(LimitOutcome.Allowed, null, new LimitState(5, 1, 3600, 86400), 0, 3, 4), time.GetTimestamp());
        Assert.False(refusals.TryRefuse(claim, out _));
        refusals.Remember(claim, LimitDecision.Unavailable, time.GetTimestamp());
        Assert.False(refusals.TryRefuse(claim, out _));

        refusals.Remember(claim, new LimitDecision(LimitOutcome.QuotaExceeded, null, new LimitState(5, 0, 3600, 86400), 3600, 5, 5), time.GetTimestamp());
        time.Advance(TimeSpan.FromMinutes(59));
        Assert.True(refusals.TryRefuse(claim, out var decision));
        Assert.Equal(LimitOutcome.QuotaExceeded, decision.Outcome);
        Assert.Equal(60, decision.RetryAfterSeconds, 6);
        Assert.Equal(5, decision.QuotaUsedAfter);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(refusals.TryRefuse(claim, out _));
    }

    [Fact]
    public void At_capacity_expired_refusals_make_room_and_otherwise_new_ones_are_not_remembered()
    {
        var time = new FakeTimeProvider();
        var refusals = new RecentRefusals(time);
        for (var i = 0; i < RecentRefusals.Capacity; i++) refusals.Remember(Claim with { LimitsId = "k" + i }, RateLimited(i < 10 ? 1 : 100), time.GetTimestamp());

        refusals.Remember(Claim with { LimitsId = "late" }, RateLimited(100), time.GetTimestamp());
        Assert.False(refusals.TryRefuse(Claim with { LimitsId = "late" }, out _));

        time.Advance(TimeSpan.FromSeconds(2)); // ten of them have expired
        refusals.Remember(Claim with { LimitsId = "late" }, RateLimited(100), time.GetTimestamp());
        Assert.True(refusals.TryRefuse(Claim with { LimitsId = "late" }, out _));
        Assert.Equal(RecentRefusals.Capacity - 9, refusals.Count);
    }
}
