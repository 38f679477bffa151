using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Hokusai.Keys.Security;
using Hokusai.Keys.Validation;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Backplane;
using ZiggyCreatures.Caching.Fusion.Backplane.StackExchangeRedis;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace Hokusai.Keys.Azure.Caching;

/// <summary>
/// The key cache: FusionCache with an in-process L1, Redis as L2 and the Redis backplane, so a change on one instance
/// evicts the entry on every instance (docs/architecture.md explains why FusionCache rather than HybridCache).
/// Entries are keyed by key id alone, whatever pepper made them, so one invalidation removes the key's entry on every
/// instance and in Redis, even where instances run with different peppers (a rotation, per-process peppers). Redis
/// values are authenticated (<see cref="AuthenticatedDistributedCache"/>): one made with another pepper or edited in
/// Redis is a miss. Checked once when it enters L1; L1 hits cost nothing more.
/// An invalidation must reach Redis and the backplane or fail the change that asked for it (the caller retries), and
/// is repeated once, <see cref="RecheckDelay"/> later: a load on another instance that read the table before the change
/// may write its (validly sealed) stale snapshot to Redis just after the first removal.
/// </summary>
internal sealed partial class FusionKeySnapshotCache : IKeySnapshotCache, IDisposable
{
    /// <summary>Longer than a load's Redis write can take (its hard timeout) plus a backplane message's delivery.</summary>
    internal static readonly TimeSpan RecheckDelay = TimeSpan.FromSeconds(2);
    private const int MaxPendingRechecks = 10_000;

    private readonly FusionCache _cache;
    private readonly FusionCacheEntryOptions _found;
    private readonly FusionCacheEntryOptions _missing;
    private readonly FusionCacheEntryOptions _invalidate;
    private readonly FusionCacheEntryOptions _recheck;
    private readonly string _keyPrefix;
    private readonly IDistributedCache? _shared;
    private readonly ILogger _logger;

    // Second removals, in order of their due time (all wait the same delay), run by one background loop.
    private readonly Channel<(string KeyId, long Due)> _rechecks =
        Channel.CreateBounded<(string, long)>(new BoundedChannelOptions(MaxPendingRechecks) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _rechecker;

    // When each key was last invalidated (here or, via the backplane, elsewhere): a load that started before must not
    // cache what it read. Entries older than the longest load are useless and pruned.
    private readonly ConcurrentDictionary<string, long> _invalidatedAt = new(StringComparer.Ordinal);
    private static readonly long InvalidationMemory = Stopwatch.Frequency * 60;

    public FusionKeySnapshotCache(
        IOptions<CacheOptions> options, RedisConnection redis, SecretDigester digester, KeyMetrics metrics, ILoggerFactory loggerFactory)
        : this(options, redis, digester, metrics, loggerFactory, wrapShared: null)
    {
    }

    /// <summary>Tests only: <paramref name="wrapShared"/> wraps the Redis cache (e.g. to hold a write at a chosen moment).</summary>
    internal FusionKeySnapshotCache(
        IOptions<CacheOptions> options, RedisConnection redis, SecretDigester digester, KeyMetrics metrics, ILoggerFactory loggerFactory,
        Func<IDistributedCache, IDistributedCache>? wrapShared)
    {
        _logger = loggerFactory.CreateLogger<FusionKeySnapshotCache>();
        var settings = options.Value;
        var redisTimeout = TimeSpan.FromMilliseconds(250);
        _found = new FusionCacheEntryOptions
        {
            Duration = TimeSpan.FromSeconds(settings.SharedSeconds),
            DistributedCacheHardTimeout = redisTimeout,
            // A load's Redis write completes before the load answers, and is checked against invalidations afterwards:
            // a write left in the background could land after a later revocation removed the key and bring it back.
            AllowBackgroundDistributedCacheOperations = false,
            AllowBackgroundBackplaneOperations = true,
            // Loads need not tell other instances: every change to a key invalidates it explicitly. Instances with
            // different peppers would otherwise evict each other's L1 entry on every load, one bcrypt per request.
            SkipBackplaneNotifications = true,
        };
        SpreadLocalExpiry(_found, TimeSpan.FromSeconds(settings.LocalSeconds));
        _missing = _found.Duplicate();
        _missing.Duration = TimeSpan.FromSeconds(settings.NotFoundSeconds);
        SpreadLocalExpiry(_missing, TimeSpan.FromSeconds(Math.Min(settings.NotFoundSeconds, settings.LocalSeconds)));
        // A revocation must have reached Redis and the backplane before its response is sent.
        _invalidate = _found.Duplicate();
        _invalidate.AllowBackgroundDistributedCacheOperations = false;
        _invalidate.AllowBackgroundBackplaneOperations = false;
        _invalidate.SkipBackplaneNotifications = false;
        _invalidate.DistributedCacheHardTimeout = TimeSpan.FromSeconds(1);
        // The repeat runs in the background: a failure is logged (by FusionCache), there is no one to answer.
        _recheck = _invalidate.Duplicate();
        // A backplane that could not publish fails the change (503, the client retries); Redis is removed directly below.
        _invalidate.ReThrowBackplaneExceptions = true;

        _cache = new FusionCache(
            new FusionCacheOptions
            {
                CacheName = "hokusai-keys",
                // No CacheKeyPrefix: CacheKey builds the whole key in one string (FusionCache would concatenate the
                // prefix again on every call), and no tags or Clear are used.
                DisableTagging = true,
                // One pub/sub channel (FusionCache names it "{this}.Backplane:v2"), not a key: on a Redis Cluster a PUBLISH
                // reaches the subscribers on every node.
                BackplaneChannelPrefix = redis.KeyPrefix + ":backplane",
                DistributedCacheCircuitBreakerDuration = TimeSpan.FromSeconds(2),
                BackplaneCircuitBreakerDuration = TimeSpan.FromSeconds(2),
                DefaultEntryOptions = _found,
            },
            logger: loggerFactory.CreateLogger<FusionCache>());

        if (redis.IsConfigured)
        {
            IDistributedCache shared = new AuthenticatedDistributedCache(
                new RedisCache(new RedisCacheOptions { ConnectionMultiplexerFactory = redis.GetAsync }),
                digester, metrics, loggerFactory.CreateLogger<AuthenticatedDistributedCache>());
            _shared = wrapShared?.Invoke(shared) ?? shared;
            _cache.SetupDistributedCache(
                _shared,
                // IncludeFields: FusionCache's own entry types round-trip value tuples (its start-up check warns of data loss
                // otherwise); our snapshot has no public fields, so its JSON is unchanged.
                new FusionCacheSystemTextJsonSerializer(new JsonSerializerOptions { IncludeFields = true }));
            _cache.SetupBackplane(new RedisBackplane(
                new RedisBackplaneOptions { ConnectionMultiplexerFactory = redis.GetAsync },
                loggerFactory.CreateLogger<RedisBackplane>()));
        }

        _keyPrefix = redis.KeyPrefix + ":key:";
        _cache.Events.Backplane.MessageReceived += (_, e) =>
        {
            if (e.Message.Action == BackplaneMessageAction.EntryRemove && e.Message.CacheKey is { } key)
                NoteInvalidation(key[(key.LastIndexOf(':') + 1)..]);
        };
        _rechecker = redis.IsConfigured ? Task.Run(RunRechecksAsync) : Task.CompletedTask;
    }

    /// <summary>
    /// Entries loaded together (a warm-up, a deploy, a burst of new keys) would otherwise leave L1 together, and every
    /// request for them would wait on Redis in the same moment: a latency spike every <c>LocalSeconds</c>. Each entry's
    /// L1 lifetime is drawn from [0.8, 1] × <paramref name="lifetime"/>, so the configured value stays the upper bound.
    /// </summary>
    private static void SpreadLocalExpiry(FusionCacheEntryOptions options, TimeSpan lifetime)
    {
        options.JitterMaxDuration = lifetime / 5;
        options.MemoryCacheDuration = lifetime - options.JitterMaxDuration;
    }

    /// <summary>
    /// The same for Redis, where FusionCache adds no jitter: keys loaded together (after a deploy with a new pepper, a
    /// Redis flush) would all come back to Table Storage and bcrypt in the same second, <c>SharedSeconds</c> later.
    /// Each Redis lifetime is drawn from [0.8, 1] × the configured one. Only loads pay for the copy of the options.
    /// </summary>
    private static FusionCacheEntryOptions WithSpreadSharedExpiry(FusionCacheEntryOptions options)
    {
        var spread = options.Duplicate();
        spread.DistributedCacheDuration = options.Duration * (0.8 + 0.2 * Random.Shared.NextDouble());
        return spread;
    }

    private void NoteInvalidation(string keyId)
    {
        var now = Stopwatch.GetTimestamp();
        _invalidatedAt[keyId] = now;
        if (_invalidatedAt.Count > 10_000)
            foreach (var (id, at) in _invalidatedAt)
                if (now - at > InvalidationMemory) _invalidatedAt.TryRemove(id, out _);
    }

    public async ValueTask<KeySnapshot?> TryGetAsync(string keyId, CancellationToken cancellationToken)
    {
        var entry = await _cache.TryGetAsync<KeySnapshot>(CacheKey(keyId), token: cancellationToken);
        return entry.HasValue ? entry.Value : null;
    }

    public async ValueTask<bool> SetAsync(KeySnapshot snapshot, long loadStarted, CancellationToken cancellationToken)
    {
        if (_invalidatedAt.TryGetValue(snapshot.Id, out var at) && at >= loadStarted) return false;
        await _cache.SetAsync(CacheKey(snapshot.Id), snapshot, WithSpreadSharedExpiry(snapshot.Exists ? _found : _missing), token: cancellationToken);
        // An invalidation that arrived while we were writing wins: remove what we wrote, locally and in Redis.
        if (_invalidatedAt.TryGetValue(snapshot.Id, out at) && at >= loadStarted)
        {
            await _cache.RemoveAsync(CacheKey(snapshot.Id), _invalidate, cancellationToken);
            return false;
        }
        return true;
    }

    public async ValueTask InvalidateAsync(string keyId, CancellationToken cancellationToken)
    {
        NoteInvalidation(keyId);
        var cacheKey = CacheKey(keyId);
        try
        {
            await _cache.RemoveAsync(cacheKey, _invalidate, cancellationToken);
            // Directly as well: FusionCache skips Redis while its circuit breaker is open, or gives up at its timeout,
            // without an error; a revocation must not answer 200 while Redis may still hold the old entry.
            if (_shared is not null) await _shared.RemoveAsync(cacheKey, cancellationToken).WaitAsync(_invalidate.DistributedCacheHardTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogInvalidationFailed(_logger, keyId, ex);
            throw new StorageUnavailableException("The shared cache could not be updated; retry the change.", ex);
        }
        if (_shared is not null && !_rechecks.Writer.TryWrite((keyId, Stopwatch.GetTimestamp() + (long)(RecheckDelay.TotalSeconds * Stopwatch.Frequency))))
            LogRecheckDropped(_logger, keyId);
    }

    /// <summary>The repeated removals: one loop, so a burst of changes costs one task, and at most <see cref="MaxPendingRechecks"/> wait.</summary>
    private async Task RunRechecksAsync()
    {
        try
        {
            await foreach (var (keyId, due) in _rechecks.Reader.ReadAllAsync(_stopping.Token))
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero) await Task.Delay(wait, _stopping.Token);
                try
                {
                    NoteInvalidation(keyId);
                    await _cache.RemoveAsync(CacheKey(keyId), _recheck, _stopping.Token);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogInvalidationFailed(_logger, keyId, ex);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// <c>{redis prefix}:key:{key id}</c>: one entry per key, whatever the pepper (in Redis FusionCache adds <c>v2:</c> in
    /// front). An entry is one Redis key, and every command on it (HSET + EXPIRE, HMGET, DEL) names that key alone, so on
    /// a Redis Cluster none can cross slots: no hash tag is needed, and entries spread over every shard.
    /// </summary>
    private string CacheKey(string keyId) => string.Concat(_keyPrefix, keyId);

    public void Dispose()
    {
        _rechecks.Writer.TryComplete();
        _stopping.Cancel();
        _rechecker.Wait(TimeSpan.FromSeconds(1));
        _stopping.Dispose();
        _cache.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not remove key {KeyId} from the shared cache or tell the other instances")]
    private static partial void LogInvalidationFailed(ILogger logger, string keyId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Too many invalidations pending: the repeated removal of key {KeyId} was skipped")]
    private static partial void LogRecheckDropped(ILogger logger, string keyId);
}
