using System.Collections.Concurrent;
using System.Diagnostics;
using Hokusai.Keys.Azure.Caching;
using Hokusai.Keys.Security;
using Hokusai.Keys.Testing;
using Hokusai.Keys.Validation;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hokusai.Keys.Azure.Tests;

/// <summary>
/// Revocation against a racing load (docs/security.md, "Cache integrity and revocation"): two cache instances over real
/// Redis (a single node and a Redis Cluster), with a seam around one instance's Redis writes instead of timing guesses.
/// </summary>
public sealed class RevocationRaceTests
{
    private static KeyMetrics NewMetrics() =>
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());

    private static SecretDigester Digester(string pepper) =>
        new(Options.Create(new SecurityOptions { CachePepper = pepper }), NullLogger<SecretDigester>.Instance);

    private static readonly string Pepper = new('p', 40);

    private static FusionKeySnapshotCache NewCache(RedisConnection redis, Func<IDistributedCache, IDistributedCache>? wrap = null) => new(
        Options.Create(new CacheOptions { LocalSeconds = 30, SharedSeconds = 600, NotFoundSeconds = 10 }),
        redis, Digester(Pepper), NewMetrics(), NullLoggerFactory.Instance, wrap);

    private static async Task<RedisConnection> ConnectAsync(RedisTopology topology, string prefix) =>
        new(Options.Create(new RedisOptions { ConnectionString = await SharedInfrastructure.RedisConnectionStringAsync(topology), KeyPrefix = prefix, TimeoutMilliseconds = 5000 }));

    [Theory]
    [InlineData(RedisTopology.SingleNode)]
    [InlineData(RedisTopology.Cluster)]
    public async Task A_stale_load_written_to_Redis_just_after_a_revocation_is_removed_again(RedisTopology topology)
    {
        var prefix = "race-" + Guid.NewGuid().ToString("N")[..8];
        await using var connectionA = await ConnectAsync(topology, prefix);
        await using var connectionB = await ConnectAsync(topology, prefix);
        await using var connectionC = await ConnectAsync(topology, prefix);
        Seam? seam = null;
        using var a = NewCache(connectionA);
        using var b = NewCache(connectionB, inner => seam = new Seam(inner) { HoldWrites = true });
        const string id = "racekey000000001";

        // B read the table before the revocation; its Redis write is held until A has revoked (past the write timeout).
        var load = b.SetAsync(new KeySnapshot { Id = id, Owner = "o" }, Stopwatch.GetTimestamp(), CancellationToken.None).AsTask();
        var redisKey = await seam!.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await a.InvalidateAsync(id, CancellationToken.None);
        seam.Release.SetResult();
        await seam.Written.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await load;

        var database = (await connectionA.GetAsync()).GetDatabase();
        // The invalidating instance removes the key once more, shortly after: the stale entry does not stay for SharedSeconds.
        for (var deadline = DateTime.UtcNow.AddSeconds(30); await database.KeyExistsAsync(redisKey); await Task.Delay(50))
            Assert.True(DateTime.UtcNow < deadline, "the stale entry is still in Redis 30 s after the revocation");
        using var c = NewCache(connectionC);
        Assert.Null(await c.TryGetAsync(id, CancellationToken.None));
    }

    [Theory]
    [InlineData(RedisTopology.SingleNode)]
    [InlineData(RedisTopology.Cluster)]
    public async Task An_invalidation_that_cannot_reach_Redis_fails_instead_of_answering_success(RedisTopology topology)
    {
        await using var connection = await ConnectAsync(topology, "fail-" + Guid.NewGuid().ToString("N")[..8]);
        using var cache = NewCache(connection, inner => new Seam(inner) { FailRemoves = true });
        await Assert.ThrowsAsync<StorageUnavailableException>(async () => await cache.InvalidateAsync("failkey000000001", CancellationToken.None));
    }

    [Fact]
    public void A_foreign_pepper_fingerprint_is_logged_once_without_the_value()
    {
        var shared = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        var logged = new ConcurrentQueue<string>();
        var other = Digester(new string('q', 40));
        var writer = new AuthenticatedDistributedCache(shared, other, NewMetrics(), NullLogger.Instance);
        var reader = new AuthenticatedDistributedCache(shared, Digester(Pepper), NewMetrics(), new CapturingLogger(logged));
        var options = new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(1) };
        writer.Set("k1", "secret-looking-payload"u8.ToArray(), options);
        writer.Set("k2", "secret-looking-payload"u8.ToArray(), options);

        Assert.Null(reader.Get("k1"));
        Assert.Null(reader.Get("k1"));
        Assert.Null(reader.Get("k2"));

        var message = Assert.Single(logged);
        Assert.Contains(other.Fingerprint, message);
        Assert.DoesNotContain("payload", message);
    }

    /// <summary>Around one instance's Redis cache: holds its writes until released, or fails its removals.</summary>
    private sealed class Seam(IDistributedCache inner) : IDistributedCache
    {
        public bool HoldWrites { get; init; }
        public bool FailRemoves { get; init; }
        public TaskCompletionSource<string> Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public byte[]? Get(string key) => inner.Get(key);
        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => inner.GetAsync(key, token);
        public void Refresh(string key) => inner.Refresh(key);
        public Task RefreshAsync(string key, CancellationToken token = default) => inner.RefreshAsync(key, token);

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).GetAwaiter().GetResult();

        public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            if (HoldWrites)
            {
                Entered.TrySetResult(key);
                await Release.Task;
            }
            await inner.SetAsync(key, value, options, CancellationToken.None);
            Written.TrySetResult();
        }

        public void Remove(string key)
        {
            if (FailRemoves) throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "Redis is down (test)");
            inner.Remove(key);
        }

        public Task RemoveAsync(string key, CancellationToken token = default) =>
            FailRemoves ? Task.FromException(new RedisConnectionException(ConnectionFailureType.UnableToConnect, "Redis is down (test)")) : inner.RemoveAsync(key, token);
    }

    private sealed class CapturingLogger(ConcurrentQueue<string> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            messages.Enqueue(formatter(state, exception));
    }
}
