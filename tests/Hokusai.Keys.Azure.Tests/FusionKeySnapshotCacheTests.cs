using System.Diagnostics;
using Hokusai.Keys.Azure.Caching;
using Hokusai.Keys.Security;
using Hokusai.Keys.Testing;
using Hokusai.Keys.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hokusai.Keys.Azure.Tests;

/// <summary>
/// The key cache's lifetimes: keys loaded together must not expire together (L1 in process, L2 in real Redis: a single
/// node and a Redis Cluster).
/// </summary>
public sealed class FusionKeySnapshotCacheTests
{
    private static readonly IOptions<SecurityOptions> Pepper = Options.Create(new SecurityOptions { CachePepper = new string('p', 40) });

    private static FusionKeySnapshotCache NewCache(int localSeconds, int sharedSeconds, RedisConnection redis) => new(
        Options.Create(new CacheOptions { LocalSeconds = localSeconds, SharedSeconds = sharedSeconds, NotFoundSeconds = 10 }),
        redis,
        new SecretDigester(Pepper, NullLogger<SecretDigester>.Instance),
        new KeyMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
        NullLoggerFactory.Instance);

    [Fact]
    public async Task Entries_loaded_together_leave_L1_at_different_times_never_after_LocalSeconds()
    {
        const int localSeconds = 5;
        await using var noRedis = new RedisConnection(Options.Create(new RedisOptions()));
        using var cache = NewCache(localSeconds, sharedSeconds: 600, noRedis);

        var ids = Enumerable.Range(0, 40).Select(i => $"spread{i:D2}").ToArray();
        var start = Stopwatch.GetTimestamp();
        foreach (var id in ids)
            Assert.True(await cache.SetAsync(new KeySnapshot { Id = id, Owner = "o" }, Stopwatch.GetTimestamp(), CancellationToken.None));
        var loaded = Stopwatch.GetElapsedTime(start);

        // Per entry: the start of the last lookup that found it and the end of the first that did not. The entry left
        // L1 between the two, whatever the scheduler did to this loop, so the bounds below hold on a slow machine too.
        // The loop has a thread of its own: with awaits, a thread pool starved by parallel tests delayed it ~10 s in CI
        // (an L1-only lookup completes synchronously, so nothing here needs the pool).
        var lastFound = new Dictionary<string, TimeSpan>();
        var firstMissed = new Dictionary<string, TimeSpan>();
        await Task.Factory.StartNew(() =>
        {
            while (firstMissed.Count < ids.Length && Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(localSeconds * 3))
            {
                foreach (var id in ids.Where(id => !firstMissed.ContainsKey(id)))
                {
                    var before = Stopwatch.GetElapsedTime(start);
                    var lookup = cache.TryGetAsync(id, CancellationToken.None);
                    var found = (lookup.IsCompleted ? lookup.Result : lookup.AsTask().GetAwaiter().GetResult()) is not null;
                    if (found) lastFound[id] = before;
                    else firstMissed[id] = Stopwatch.GetElapsedTime(start);
                }
                Thread.Sleep(10);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        Assert.Equal(ids.Length, firstMissed.Count);
        var lifetime = TimeSpan.FromSeconds(localSeconds);
        // Never longer than LocalSeconds (the documented bound for a revocation unseen while Redis is down) ...
        Assert.All(lastFound.Values, seen => Assert.True(seen < loaded + lifetime, $"found at {seen} after a load that ended at {loaded}"));
        // ... never shorter than four fifths of it ...
        Assert.All(firstMissed.Values, gone => Assert.True(gone >= lifetime * 0.8, $"gone at {gone}"));
        // ... and spread out: some entry left L1 earlier than another by more than the loading took (entry j outlived
        // entry i by more than lastFound[j] - firstMissed[i]), which equal lifetimes cannot do.
        var spread = lastFound.Values.Max() - firstMissed.Values.Min();
        Assert.True(spread > loaded, $"entries loaded within {loaded} left L1 within {-spread} of each other");
    }

    [Theory]
    [InlineData(RedisTopology.SingleNode)]
    [InlineData(RedisTopology.Cluster)]
    public async Task Entries_loaded_together_get_Redis_lifetimes_spread_over_the_last_fifth_of_SharedSeconds(RedisTopology topology)
    {
        const int sharedSeconds = 600;
        var prefix = "spread-" + Guid.NewGuid().ToString("N")[..8];
        var redis = await SharedInfrastructure.RedisConnectionStringAsync(topology);
        // Generous timeouts here: what is under test is the lifetimes, not how the cache copes with a slow Redis.
        await using var connection = new RedisConnection(Options.Create(new RedisOptions { ConnectionString = redis, KeyPrefix = prefix, TimeoutMilliseconds = 5000 }));
        using var cache = NewCache(localSeconds: 30, sharedSeconds, connection);

        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < 40; i++)
            Assert.True(await cache.SetAsync(new KeySnapshot { Id = $"shared{i:D2}", Owner = "o" }, Stopwatch.GetTimestamp(), CancellationToken.None));

        // Redis writes run in the background (the request does not wait for them): wait until all 40 are there.
        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync($"{redis},syncTimeout=10000,asyncTimeout=10000");
        List<RedisKey> keys;
        var deadline = DateTime.UtcNow.AddSeconds(30); // generous: a busy CI machine delays background work
        while (true)
        {
            keys = await multiplexer.KeysAsync("*" + prefix + ":*shared*");
            if (keys.Count >= 40 || DateTime.UtcNow > deadline) break;
            await Task.Delay(50);
        }
        Assert.Equal(40, keys.Count);

        var database = multiplexer.GetDatabase();
        var ttls = new List<double>();
        foreach (var key in keys) ttls.Add((await database.KeyTimeToLiveAsync(key))!.Value.TotalSeconds);
        // Each TTL has counted down for at most the time since the loads began (plus a second of rounding).
        var waited = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Assert.All(ttls, ttl => Assert.InRange(ttl, sharedSeconds * 0.8 - waited - 1, sharedSeconds));
        // Forty draws from a 120 s range: equal lifetimes (loaded within the seconds this test takes) would mean no spread.
        Assert.True(ttls.Max() - ttls.Min() > 30, $"Redis lifetimes span only {ttls.Max() - ttls.Min():F1} s");
    }
}
