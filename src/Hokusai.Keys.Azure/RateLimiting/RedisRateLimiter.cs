using System.Diagnostics;
using System.Threading.Channels;
using Hokusai.Keys.Azure.Caching;
using Hokusai.Keys.Domain;
using Hokusai.Keys.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hokusai.Keys.Azure.RateLimiting;

/// <summary>
/// Exact rate limits and quotas across instances: every decision is made atomically in Redis by one Lua script,
/// with Redis's clock. Concurrent requests are batched: while up to <see cref="MaxInFlight"/> scripts are in flight,
/// new requests queue and go together in the next script (up to <see cref="MaxBatch"/> decisions per call), so under
/// load one round trip serves many requests while a lone request still goes at once (docs/rate-limits.md).
/// While Redis cannot be reached, the configured failure mode decides. A missing quota counter (Redis lost it) is rebuilt
/// from <see cref="IQuotaBaseline"/>, the durable usage aggregates, before the request is decided. A refusal is
/// remembered until its retry-after (<see cref="RecentRefusals"/>), so a refused key's further requests do not reach Redis.
/// </summary>
internal sealed partial class RedisRateLimiter : IRateLimiter, IAsyncDisposable
{
    public const int MaxBatch = 64;
    public const int MaxInFlight = 1;
    private const int ArgsPerItem = 8;
    private const int ResultsPerItem = 7;
    private static readonly TimeSpan BreakerOpenFor = TimeSpan.FromSeconds(2);

    // KEYS: per item, its rate key and its quota key.
    // ARGV: per item has_rate, limit, window_us, cost, want (cost + lease; = cost for keys with a quota), quota_limit, quota_expire_at_ms,
    // quota_seed (-1: none; else the rebuilt consumption to start a missing counter from).
    // Returns per item: outcome (0 allowed, 1 rate limited, 2 quota exceeded, 3 quota counter missing and no seed: nothing
    // consumed, ask again with a seed), remaining, reset_us, retry_after_us, quota_before, quota_after, granted (want if it
    // fitted, else cost).
    // Internal: a test holds it to Gcra.Evaluate (GcraScriptEquivalenceTests).
    internal const string Script = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local out = {}
        for i = 1, #KEYS / 2 do
          local a = (i - 1) * 8
          local has_rate = tonumber(ARGV[a + 1])
          local limit = tonumber(ARGV[a + 2])
          local window = tonumber(ARGV[a + 3])
          local cost = tonumber(ARGV[a + 4])
          local want = tonumber(ARGV[a + 5])
          local qlimit = tonumber(ARGV[a + 6])
          local qexpire = tonumber(ARGV[a + 7])
          local qseed = tonumber(ARGV[a + 8])
          local outcome, remaining, reset, retry, new_tat, granted = 0, 0, 0, 0, 0, cost
          if has_rate == 1 then
            local interval = window / limit
            local tat = tonumber(redis.call('GET', KEYS[2 * i - 1])) or now
            if tat < now then tat = now end
            new_tat = tat + want * interval
            if want > cost and new_tat - now <= window then
              granted = want
            else
              new_tat = tat + cost * interval
            end
            if new_tat - now <= window then
              remaining = math.floor((window - (new_tat - now)) / interval)
              reset = new_tat - now
            else
              outcome = 1
              remaining = math.max(0, math.floor((window - (tat - now)) / interval))
              reset = tat - now
              retry = new_tat - window - now
            end
          end
          local qbefore, qafter, seeded = 0, 0, false
          if outcome == 0 and qlimit > 0 then
            local stored = redis.call('GET', KEYS[2 * i])
            if stored then
              qbefore = tonumber(stored)
            elseif qseed >= 0 then
              qbefore = qseed
              seeded = true
            else
              outcome = 3
            end
            if outcome == 0 then
              if qbefore + cost > qlimit then
                outcome = 2
                qafter = qbefore
              else
                qafter = qbefore + cost
              end
            end
          end
          if seeded then
            redis.call('SET', KEYS[2 * i], string.format('%.0f', qbefore), 'PXAT', qexpire)
          end
          if outcome == 0 then
            if has_rate == 1 and granted > 0 then
              redis.call('SET', KEYS[2 * i - 1], string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1000)
            end
            if qlimit > 0 and cost > 0 then
              redis.call('INCRBY', KEYS[2 * i], cost)
              redis.call('PEXPIREAT', KEYS[2 * i], qexpire)
            end
          end
          out[#out + 1] = outcome
          out[#out + 1] = remaining
          out[#out + 1] = math.floor(reset)
          out[#out + 1] = math.ceil(retry)
          out[#out + 1] = qbefore
          out[#out + 1] = qafter
          out[#out + 1] = granted
        end
        return out
        """;

    private readonly RedisConnection _redis;
    private readonly LocalRateLimiter _local;
    private readonly RateLimitingOptions _options;
    private readonly TimeProvider _time;
    private readonly KeyMetrics _metrics;
    private readonly ILogger<RedisRateLimiter> _logger;
    private readonly RecentRefusals _refusals;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _inFlight = new(MaxInFlight);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lease> _leases = new(StringComparer.Ordinal);
    private readonly IQuotaBaseline? _baseline;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<long>>> _rebuilds = new(StringComparer.Ordinal);
    private readonly string _prefix;
    private readonly int _keyGroups;
    private readonly Task _pump;
    private long _breakerClosesAt;

    public RedisRateLimiter(
        RedisConnection redis, LocalRateLimiter local, IOptions<RateLimitingOptions> options, TimeProvider time, KeyMetrics metrics, ILogger<RedisRateLimiter> logger,
        IQuotaBaseline? baseline = null)
    {
        _baseline = baseline;
        _redis = redis;
        _local = local;
        _options = options.Value;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _prefix = redis.KeyPrefix + ":";
        _keyGroups = _options.RedisKeyGroups;
        _refusals = new RecentRefusals(time);
        _pump = redis.IsConfigured ? Task.Run(PumpAsync) : Task.CompletedTask;
    }

    public ValueTask<LimitDecision> AcquireAsync(LimitRequest request, CancellationToken cancellationToken)
    {
        // Without Redis there is one instance by definition: the in-memory limiter is exact.
        if (!_redis.IsConfigured) return _local.AcquireAsync(request, cancellationToken);
        if (Stopwatch.GetTimestamp() < Volatile.Read(ref _breakerClosesAt)) return ValueTask.FromResult(Fallback(request));
        if (_refusals.TryRefuse(request, out var refused)) return ValueTask.FromResult(refused);
        var slice = LeaseSlice(request);
        if (slice > 0) return AcquireLeasedAsync(request, slice);
        return Enqueue(new Pending(request));
    }

    private ValueTask<LimitDecision> Enqueue(Pending pending) =>
        _queue.Writer.TryWrite(pending) ? new ValueTask<LimitDecision>(pending.Completion.Task) : ValueTask.FromResult(Fallback(pending.Request));

    /// <summary>
    /// Keys with a large rate limit (and no quota) lease a slice of 1 % of their limit per instance: requests spend
    /// leased tokens locally, and only a refill goes to Redis. Tokens are taken from the shared bucket before they are
    /// spent, so this never admits more than the bucket allows; unused leased tokens are held back from other
    /// instances until the lease expires (at most one slice per instance).
    /// </summary>
    private static long LeaseSlice(LimitRequest request) =>
        request.Quota is null && request.Rate is { } rate && rate.Limit / LeaseFraction >= MinLease ? rate.Limit / LeaseFraction : 0;

    private const int LeaseFraction = 100;
    private const int MinLease = 2;
    private static readonly long LeaseLifetime = Stopwatch.Frequency; // one second

    private async ValueTask<LimitDecision> AcquireLeasedAsync(LimitRequest request, long slice)
    {
        var lease = _leases.GetOrAdd(request.LimitsId, static _ => new Lease());
        for (var attempt = 0; attempt < 2; attempt++)
        {
            Task refill;
            Pending? mine = null;
            lock (lease)
            {
                if (lease.Tokens >= request.Cost && Stopwatch.GetTimestamp() < lease.ExpiresAt)
                {
                    lease.Tokens -= request.Cost;
                    lease.State = lease.State with { Remaining = Math.Max(0, lease.State.Remaining - request.Cost) };
                    return new LimitDecision(LimitOutcome.Allowed, lease.State, null, 0, 0, 0);
                }
                if (lease.Refill is null)
                {
                    // This request refills the lease; concurrent ones wait for it and then spend from it.
                    mine = new Pending(request, slice);
                    lease.Refill = RefillAsync(lease, mine);
                }
                refill = lease.Refill;
            }
            if (mine is not null)
            {
                if (!_queue.Writer.TryWrite(mine)) mine.Completion.TrySetResult(Fallback(request));
                var decision = await mine.Completion.Task;
                await refill;
                return decision;
            }
            await refill;
        }
        // The refills were spent by others: decide this one alone.
        return await Enqueue(new Pending(request));
    }

    private static async Task RefillAsync(Lease lease, Pending pending)
    {
        try
        {
            var decision = await pending.Completion.Task;
            lock (lease)
            {
                if (decision.Outcome == LimitOutcome.Allowed && decision.Rate is { } state)
                {
                    lease.Tokens = Math.Max(0, pending.Granted - pending.Request.Cost);
                    lease.ExpiresAt = Stopwatch.GetTimestamp() + LeaseLifetime;
                    lease.State = state;
                }
            }
        }
        finally
        {
            lock (lease) lease.Refill = null;
        }
    }



    private async Task PumpAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            await _inFlight.WaitAsync();
            var batch = new List<Pending>(MaxBatch);
            while (batch.Count < MaxBatch && reader.TryRead(out var pending)) batch.Add(pending);
            if (batch.Count == 0)
            {
                _inFlight.Release();
                continue;
            }
            _ = ExecuteAsync(batch);
        }
    }

    /// <summary>
    /// One batch: its claims grouped by hash slot (every key of a claim carries its group's hash tag), one script call
    /// per slot, all in parallel. On a single node every key is in one slot, so a batch stays one call; on a cluster a
    /// script never touches two slots (CROSSSLOT), and the claims of a batch on one quota keep their order.
    /// </summary>
    private async Task ExecuteAsync(List<Pending> batch)
    {
        var released = false;
        try
        {
            var connection = await _redis.GetAsync();
            var now = _time.GetUtcNow();
            var slots = new Dictionary<int, List<Pending>>();
            foreach (var pending in batch)
            {
                var slot = connection.HashSlot(RateKey(pending.Request.LimitsId));
                if (!slots.TryGetValue(slot, out var group)) slots[slot] = group = [];
                group.Add(pending);
            }
            if (slots.Count == 1)
            {
                await ExecuteSlotAsync(connection, batch, now);
                return;
            }
            // A cluster: claims rarely share a slot, so waiting for this batch would not make the next one larger, only
            // later. The next batch goes at once; the calls are pipelined on the shards' connections.
            _inFlight.Release();
            released = true;
            await Task.WhenAll(slots.Values.Select(group => ExecuteSlotAsync(connection, group, now)));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            RedisDown(ex, batch);
        }
        finally
        {
            if (!released) _inFlight.Release();
        }
    }

    private async Task ExecuteSlotAsync(IConnectionMultiplexer connection, List<Pending> batch, DateTimeOffset now)
    {
        try
        {
            var keys = new RedisKey[batch.Count * 2];
            var args = new RedisValue[batch.Count * ArgsPerItem];
            for (var i = 0; i < batch.Count; i++)
            {
                var r = batch[i].Request;
                keys[2 * i] = RateKey(r.LimitsId);
                keys[2 * i + 1] = QuotaKey(r.LimitsId, r.Quota, now);
                var a = i * ArgsPerItem;
                args[a] = r.Rate is null ? 0 : 1;
                args[a + 1] = r.Rate?.Limit ?? 1;
                args[a + 2] = (r.Rate?.WindowSeconds ?? 1) * 1_000_000L;
                args[a + 3] = r.Cost;
                args[a + 4] = r.Cost + batch[i].Lease;
                args[a + 5] = r.Quota?.Limit ?? 0;
                args[a + 6] = r.Quota is { } quota ? quota.PeriodEnd(now).AddDays(1).ToUnixTimeMilliseconds() : 0;
                // A seed rebuilt for another period (the period ended meanwhile) is not used: the script asks again.
                args[a + 7] = r.Quota is { } seedQuota && batch[i].SeedPeriod == seedQuota.PeriodStart(now) ? batch[i].Seed : -1;
            }
            var askedAt = _time.GetTimestamp();
            var results = (RedisResult[])(await connection.GetDatabase().ScriptEvaluateAsync(Script, keys, args))!;
            for (var i = 0; i < batch.Count; i++)
            {
                if ((int)results[i * ResultsPerItem] == QuotaCounterMissing)
                {
                    _ = SeedAndRetryAsync(batch[i], now);
                    continue;
                }
                var decision = ToDecision(batch[i].Request, results, i * ResultsPerItem, now, out batch[i].Granted);
                _refusals.Remember(batch[i].Request, decision, askedAt);
                batch[i].Completion.TrySetResult(decision);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            RedisDown(ex, batch);
        }
        catch (Exception ex)
        {
            foreach (var pending in batch) pending.Completion.TrySetException(ex);
        }
    }

    private void RedisDown(Exception ex, List<Pending> batch)
    {
        Volatile.Write(ref _breakerClosesAt, Stopwatch.GetTimestamp() + (long)(BreakerOpenFor.TotalSeconds * Stopwatch.Frequency));
        _metrics.DependencyError("redis");
        LogRedisDown(_logger, ex, _options.FailureMode, batch.Count);
        foreach (var pending in batch) pending.Completion.TrySetResult(Fallback(pending.Request));
    }

    // Key layout (docs/rate-limits.md): the hash tag {g<group>} keeps a rotation chain's bucket and quota counters in one
    // slot, so one claim's keys never span slots, and puts the chains of one group in that slot, so a batch on a cluster
    // needs at most one script call per group. A claim without a quota passes a placeholder in the same slot (never written).
    private RedisKey RateKey(string limitsId) => $"{_prefix}rl:{{g{KeyGroup(limitsId, _keyGroups)}}}:{limitsId}";

    private RedisKey QuotaKey(string limitsId, QuotaPolicy? quota, DateTimeOffset now) => quota is null
        ? $"{_prefix}q:{{g{KeyGroup(limitsId, _keyGroups)}}}:{limitsId}:none"
        : $"{_prefix}q:{{g{KeyGroup(limitsId, _keyGroups)}}}:{limitsId}:{quota.PeriodStart(now).UtcTicks}";

    /// <summary>
    /// The group of a rotation chain's keys: FNV-1a of its <c>LimitsId</c>, the same in every process (unlike
    /// <see cref="string.GetHashCode()"/>), so every instance names the same counters.
    /// </summary>
    internal static uint KeyGroup(string limitsId, int groups)
    {
        var hash = 2166136261u;
        foreach (var c in limitsId) hash = (hash ^ c) * 16777619u;
        return hash % (uint)groups;
    }

    private const int QuotaCounterMissing = 3;

    /// <summary>
    /// The quota counter is gone from Redis: rebuild it from the durable usage aggregates (one read per quota and period
    /// in this process, shared by the requests that wait for it) and decide the request again with that seed. The
    /// script starts the counter from the seed only if it is still missing, so concurrent rebuilds do not add up.
    /// </summary>
    private async Task SeedAndRetryAsync(Pending pending, DateTimeOffset now)
    {
        var quota = pending.Request.Quota!;
        var period = quota.PeriodStart(now);
        var flight = pending.Request.LimitsId + ":" + period.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            var rebuild = _rebuilds.GetOrAdd(flight, _ => new Lazy<Task<long>>(() => RebuildAsync(flight, pending.Request.LimitsId, quota, now)));
            pending.Seed = await rebuild.Value;
            pending.SeedPeriod = period;
            if (!_queue.Writer.TryWrite(pending)) pending.Completion.TrySetResult(Fallback(pending.Request));
        }
        catch (Exception ex)
        {
            _metrics.DependencyError("storage");
            LogRebuildFailed(_logger, ex, pending.Request.LimitsId, _options.FailureMode);
            pending.Completion.TrySetResult(Fallback(pending.Request));
        }
    }

    private async Task<long> RebuildAsync(string flight, string limitsId, QuotaPolicy quota, DateTimeOffset now)
    {
        try
        {
            return _baseline is null ? 0 : await _baseline.ConsumedAsync(limitsId, quota, now, CancellationToken.None);
        }
        finally
        {
            _rebuilds.TryRemove(flight, out _);
        }
    }

    private static LimitDecision ToDecision(LimitRequest request, RedisResult[] results, int offset, DateTimeOffset now, out long granted)
    {
        granted = (long)results[offset + 6];
        var outcome = (int)results[offset] switch { 1 => LimitOutcome.RateLimited, 2 => LimitOutcome.QuotaExceeded, _ => LimitOutcome.Allowed };
        var remaining = (long)results[offset + 1];
        var resetMicros = (long)results[offset + 2];
        var retryMicros = (long)results[offset + 3];
        var quotaBefore = (long)results[offset + 4];
        var quotaAfter = (long)results[offset + 5];
        LimitState? rate = request.Rate is { } policy ? new LimitState(policy.Limit, remaining, resetMicros / 1e6, policy.WindowSeconds) : null;
        LimitState? quota = null;
        if (request.Quota is { } q && outcome != LimitOutcome.RateLimited)
        {
            var end = q.PeriodEnd(now);
            quota = new LimitState(q.Limit, Math.Max(0, q.Limit - quotaAfter), (end - now).TotalSeconds, (long)(end - q.PeriodStart(now)).TotalSeconds);
        }
        var retryAfter = outcome switch
        {
            LimitOutcome.RateLimited => retryMicros / 1e6,
            LimitOutcome.QuotaExceeded => (request.Quota!.PeriodEnd(now) - now).TotalSeconds,
            _ => 0,
        };
        return new LimitDecision(outcome, rate, quota, retryAfter, quotaBefore, quotaAfter);
    }

    private LimitDecision Fallback(LimitRequest request)
    {
        _metrics.RateLimitFallback(_options.FailureMode);
        return _options.FailureMode switch
        {
            RateLimitFailureModes.FailOpen => new LimitDecision(LimitOutcome.Allowed, null, null, 0, 0, 0),
            RateLimitFailureModes.FailClosed => LimitDecision.Unavailable,
            _ => _local.Acquire(request, 1.0 / _options.ExpectedInstanceCount),
        };
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _pump;
    }

    private sealed class Pending(LimitRequest request, long lease = 0)
    {
        public LimitRequest Request { get; } = request;
        public long Lease { get; } = lease;
        public long Granted;
        public long Seed = -1;
        public DateTimeOffset SeedPeriod;
        public TaskCompletionSource<LimitDecision> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Tokens this instance took from a key's bucket in advance, to spend without a round trip.</summary>
    private sealed class Lease
    {
        public long Tokens;
        public long ExpiresAt;
        public LimitState State;
        public Task? Refill;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rebuilding the quota counter of {LimitsId} from the usage aggregates failed; mode {FailureMode} decides the request")]
    private static partial void LogRebuildFailed(ILogger logger, Exception exception, string limitsId, string failureMode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate limiting without Redis; mode {FailureMode} decides the next requests (batch of {Count})")]
    private static partial void LogRedisDown(ILogger logger, Exception exception, string failureMode, int count);
}
