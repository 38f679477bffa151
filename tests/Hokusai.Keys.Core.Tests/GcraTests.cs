using Hokusai.Keys.Domain;
using Hokusai.Keys.RateLimiting;

namespace Hokusai.Keys.Core.Tests;

public class GcraTests
{
    private const double Second = 1_000_000;

    [Fact]
    public void A_full_bucket_admits_exactly_its_limit_at_once_then_refuses()
    {
        var policy = new RateLimitPolicy(5, 10);
        double tat = 0, now = 1_000 * Second;
        var admitted = 0;
        for (var i = 0; i < 8; i++)
        {
            var result = Gcra.Evaluate(policy, tat, now, 1);
            if (result.Allowed) { admitted++; tat = result.NewTat; }
            Assert.Equal(Math.Max(0, 5 - admitted), result.Remaining);
        }
        Assert.Equal(5, admitted);
    }

    [Fact]
    public void A_refusal_says_when_one_token_is_back_and_the_bucket_refills_at_limit_over_window()
    {
        var policy = new RateLimitPolicy(5, 10); // one token every 2 s
        double tat = 0, now = 1_000 * Second;
        for (var i = 0; i < 5; i++) tat = Gcra.Evaluate(policy, tat, now, 1).NewTat;

        var refused = Gcra.Evaluate(policy, tat, now, 1);
        Assert.False(refused.Allowed);
        Assert.Equal(tat, refused.NewTat); // a refusal consumes nothing
        Assert.Equal(2 * Second, refused.RetryAfterMicros, 3);

        Assert.False(Gcra.Evaluate(policy, tat, now + 2 * Second - 1, 1).Allowed);
        Assert.True(Gcra.Evaluate(policy, tat, now + 2 * Second, 1).Allowed);
        Assert.Equal(4, Gcra.Evaluate(policy, tat, now + 10 * Second, 1).Remaining); // full again after a window
    }

    [Fact]
    public void A_cost_larger_than_the_limit_is_never_admitted_and_a_cost_takes_that_many_tokens()
    {
        var policy = new RateLimitPolicy(10, 60);
        Assert.False(Gcra.Evaluate(policy, 0, Second, 11).Allowed);
        var three = Gcra.Evaluate(policy, 0, Second, 3);
        Assert.True(three.Allowed);
        Assert.Equal(7, three.Remaining);
    }

    [Fact]
    public void A_share_is_a_fraction_of_the_limit_and_never_below_one()
    {
        var policy = new RateLimitPolicy(10, 60);
        double tat = 0;
        var admitted = 0;
        for (var i = 0; i < 10; i++)
        {
            var result = Gcra.Evaluate(policy, tat, Second, 1, share: 0.25);
            if (result.Allowed) { admitted++; tat = result.NewTat; }
        }
        Assert.Equal(2, admitted); // floor(10 × 0.25)
        Assert.True(Gcra.Evaluate(new RateLimitPolicy(1, 60), 0, Second, 1, share: 0.01).Allowed);
    }

    [Fact]
    public void An_idle_bucket_holds_no_more_than_its_limit()
    {
        var policy = new RateLimitPolicy(4, 2);
        var result = Gcra.Evaluate(policy, 0, 1_000_000 * Second, 1);
        Assert.Equal(3, result.Remaining);
    }
}
