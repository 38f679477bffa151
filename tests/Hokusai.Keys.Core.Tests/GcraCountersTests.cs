using Hokusai.Keys.Domain;
using Hokusai.Keys.RateLimiting;
using Microsoft.Extensions.Time.Testing;

namespace Hokusai.Keys.Core.Tests;

/// <summary>The in-process refusal counters stay cheap under a flood of new keys (docs/security.md, "Throttling and brute force").</summary>
public class GcraCountersTests
{
    [Fact]
    public void Above_the_prune_threshold_the_cells_are_scanned_once_per_interval_not_on_every_count()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20_000));
        var counters = new GcraCounters<int>(time);
        var policy = new RateLimitPolicy(1, 60); // one count keeps a cell un-refilled for a minute
        for (var i = 0; i < 100_001; i++) counters.TryCount(i, policy);

        // Nothing can be forgotten yet: the counts above the threshold scan once, not once each.
        for (var i = 0; i < 1_000; i++) counters.TryCount(200_000 + i, policy);
        Assert.Equal(1, counters.Prunes);
        time.Advance(TimeSpan.FromSeconds(11));
        for (var i = 0; i < 1_000; i++) counters.TryCount(300_000 + i, policy);
        Assert.Equal(2, counters.Prunes);
        Assert.True(counters.IsExhausted(5, policy)); // still counted

        time.Advance(TimeSpan.FromMinutes(2)); // every cell refilled: the next scan forgets them, which changes nothing
        Assert.True(counters.TryCount(-1, policy));
        Assert.Equal(3, counters.Prunes);
        Assert.False(counters.IsExhausted(5, policy));
        Assert.False(counters.TryCount(-1, policy)); // a cell counted during the scan keeps its count
    }
}
