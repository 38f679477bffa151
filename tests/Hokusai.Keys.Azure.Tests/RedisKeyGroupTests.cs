using Hokusai.Keys.Azure.Caching;
using Hokusai.Keys.Azure.RateLimiting;
using Hokusai.Keys.Domain;
using Hokusai.Keys.RateLimiting;
using Hokusai.Keys.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hokusai.Keys.Azure.Tests;

/// <summary>
/// The limiter's keys carry a group's hash tag (<see cref="RateLimitingOptions.RedisKeyGroups"/>): on a cluster the
/// claims of a batch that fall in one group share a script call, where one slot per chain cost a call per claim.
/// </summary>
public class RedisKeyGroupTests
{
    [Fact]
    public void A_chain_s_group_is_the_same_in_every_process()
    {
        // Pinned: a per-process hash (string.GetHashCode) would give every instance other counters for the same key.
        Assert.Equal(5u, RedisRateLimiter.KeyGroup("Ab12cD34eF56gH78", 16));
        Assert.Equal(0u, RedisRateLimiter.KeyGroup("Ab12cD34eF56gH78", 1));
        var spread = Enumerable.Range(0, 1600).Select(i => RedisRateLimiter.KeyGroup(ApiKeyFormat.Generate(KeyEnvironment.Live).KeyId, 16))
            .GroupBy(g => g).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(16, spread.Count);
        Assert.All(spread.Values, count => Assert.InRange(count, 50, 150)); // about 100 each
    }

    [Fact]
    public async Task On_a_cluster_the_claims_of_a_batch_in_one_group_share_a_script_call()
    {
        // Its own cluster: the test counts every script call.
        using var cluster = await RedisCluster.StartAsync();
        const int Chains = 400;
        const int Groups = 4;
        await using var redis = new RedisConnection(Options.Create(new RedisOptions
        {
            ConnectionString = cluster.ConnectionString, KeyPrefix = "groups", TimeoutMilliseconds = 5000,
        }));
        var metrics = new KeyMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        using var local = new LocalRateLimiter(TimeProvider.System);
        await using var limiter = new RedisRateLimiter(redis, local, Options.Create(new RateLimitingOptions { RedisKeyGroups = Groups }),
            TimeProvider.System, metrics, NullLogger<RedisRateLimiter>.Instance);
        var before = await RedisCommandStats.ScriptCallsAsync(cluster.ConnectionString);

        var chains = Enumerable.Range(0, Chains).Select(_ => ApiKeyFormat.Generate(KeyEnvironment.Live).KeyId).ToList();
        var decisions = await Task.WhenAll(chains.Select(id =>
            limiter.AcquireAsync(new LimitRequest(id, new RateLimitPolicy(100, 60), new QuotaPolicy(1000, QuotaPolicy.Month), 1), CancellationToken.None).AsTask()));

        Assert.All(decisions, d => Assert.Equal(LimitOutcome.Allowed, d.Outcome));
        var calls = await RedisCommandStats.ScriptCallsAsync(cluster.ConnectionString) - before;
        // One slot per chain needs a call per claim (400); groups need at most one per group per batch of 64.
        Assert.True(calls <= Chains / 4, $"{calls} script calls for {Chains} claims");

        await using var inspect = await ConnectionMultiplexer.ConnectAsync(cluster.ConnectionString);
        var keys = await inspect.KeysAsync("groups:*");
        Assert.Equal(Chains * 2, keys.Count); // a bucket and a quota counter per chain
        Assert.InRange(keys.Select(k => inspect.HashSlot(k)).Distinct().Count(), 1, Groups);
    }
}
