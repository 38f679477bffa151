using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Hokusai.Keys;

/// <summary>All metrics of the meter <c>Hokusai.Keys</c> (docs/operations.md lists them with suggested alerts).</summary>
public sealed class KeyMetrics
{
    public const string MeterName = "Hokusai.Keys";

    private readonly Counter<long> _validations;
    private readonly Histogram<double> _validationDuration;
    private readonly Counter<long> _cacheLookups;
    private readonly Counter<long> _cacheEntriesRejected;
    private readonly Counter<long> _bcrypt;
    private readonly Counter<long> _bcryptSkipped;
    private readonly Counter<long> _dependencyErrors;
    private readonly Counter<long> _usageEventsDropped;
    private readonly Counter<long> _quotaThresholdsDropped;
    private readonly Counter<long> _rateLimitFallbacks;
    private readonly Counter<long> _leaksReported;
    private readonly Histogram<long> _keyHourAddresses;
    private Func<long?>? _usagePoisonMessages;
    private Func<double?>? _outboxBacklogAge;
    private Func<bool?>? _redisAvailable;

    public KeyMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _validations = meter.CreateCounter<long>(ValidationsName, "{validation}", "Key validations by outcome code, endpoint, key environment and (refusals) owner bucket.");
        _validationDuration = meter.CreateHistogram<double>("hokusai.validation.duration", "s", "Time to validate a key, by cache level that answered.");
        _cacheLookups = meter.CreateCounter<long>("hokusai.cache.lookups", "{lookup}", "Key cache lookups by result (hit, miss).");
        _cacheEntriesRejected = meter.CreateCounter<long>("hokusai.cache.entries_rejected", "{entry}", "Shared cache entries read as a miss, by reason (integrity: failed MAC, tampered; pepper: made by an instance with another pepper).");
        _bcrypt = meter.CreateCounter<long>("hokusai.bcrypt.verifications", "{verification}", "bcrypt verifications (cache misses that needed the slow hash).");
        _bcryptSkipped = meter.CreateCounter<long>("hokusai.bcrypt.skipped", "{verification}", "bcrypt verifications not run, by reason (budget_spent: the key id's budget; queue_full: answered 503).");
        _dependencyErrors = meter.CreateCounter<long>("hokusai.dependency.errors", "{error}", "Failed calls to Redis or Table Storage, by dependency.");
        _usageEventsDropped = meter.CreateCounter<long>("hokusai.usage.events_dropped", "{event}", "Usage events lost because the in-process buffer was full.");
        _quotaThresholdsDropped = meter.CreateCounter<long>("hokusai.quota.thresholds_dropped", "{event}", "Quota threshold events not recorded because the in-process queue was full or shutdown had begun.");
        _rateLimitFallbacks = meter.CreateCounter<long>("hokusai.ratelimit.fallbacks", "{decision}", "Rate-limit decisions made without Redis, by failure mode.");
        _leaksReported = meter.CreateCounter<long>(LeaksReportedName, "{key}", "Leak reports that revoked or flagged a key of ours, by reporter (github, self) and outcome (revoked, flagged).");
        _keyHourAddresses = meter.CreateHistogram<long>(KeyHourAddressesName, "{address}", "Distinct client addresses of one key in the current hour, recorded when usage ingestion updates the key's hour (by owner bucket).");
        // Gauges read what the components already know (no I/O in a callback); a component not running here reports nothing.
        meter.CreateObservableGauge(UsagePoisonMessagesName, () => Observe(_usagePoisonMessages), "{message}", "Messages in the usage poison queue, as of the last lifecycle sweep.");
        meter.CreateObservableGauge(OutboxBacklogAgeName, () => Observe(_outboxBacklogAge), "s", "Age of the oldest lifecycle event the last outbox sweep could not dispatch (0: none left).");
        meter.CreateObservableGauge(RedisAvailableName, ObserveRedis, "{bool}", "1 while this instance's Redis connection is up, 0 while it is down.");
    }

    /// <summary>Instrument names the alert queries (infra/alerts/*.kql) refer to; a test holds them together.</summary>
    public const string ValidationsName = "hokusai.validations", LeaksReportedName = "hokusai.leaks.reported",
        KeyHourAddressesName = "hokusai.usage.key_hour_addresses", UsagePoisonMessagesName = "hokusai.usage.poison_messages",
        OutboxBacklogAgeName = "hokusai.outbox.backlog_age", RedisAvailableName = "hokusai.redis.available";

    /// <summary>Tag names of <see cref="ValidationsName"/> and <see cref="KeyHourAddressesName"/>.</summary>
    public const string CodeTag = "code", EndpointTag = "endpoint", EnvironmentTag = "environment", OwnerBucketTag = "owner_bucket";

    private static IEnumerable<Measurement<T>> Observe<T>(Func<T?>? source) where T : struct =>
        source?.Invoke() is { } value ? [new Measurement<T>(value)] : [];

    private IEnumerable<Measurement<long>> ObserveRedis() =>
        _redisAvailable?.Invoke() is { } up ? [new Measurement<long>(up ? 1 : 0)] : [];

    /// <summary>The <see cref="EnvironmentTag"/> of an answer about no key of ours (malformed, unknown).</summary>
    public const string NoEnvironment = "none";

    // Boxed once: a tag value boxed per call would allocate on every validation.
    private static readonly object True = true, False = false;

    /// <summary>One validation answer; <paramref name="ownerBucket"/> (<see cref="OwnerBucket"/>) says whose key it was, in bounded cardinality.</summary>
    public void Validation(string code, string endpoint, string environment, string ownerBucket, long startTimestamp, bool cached)
    {
        _validations.Add(1, new KeyValuePair<string, object?>(CodeTag, code), new KeyValuePair<string, object?>(EndpointTag, endpoint),
            new KeyValuePair<string, object?>(EnvironmentTag, environment), new KeyValuePair<string, object?>(OwnerBucketTag, ownerBucket));
        _validationDuration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, new KeyValuePair<string, object?>("cached", cached ? True : False));
    }

    public void CacheLookup(bool hit) => _cacheLookups.Add(1, new KeyValuePair<string, object?>("result", hit ? "hit" : "miss"));

    /// <summary>Reasons of <see cref="CacheEntryRejected"/>.</summary>
    public const string RejectedIntegrity = "integrity", RejectedPepper = "pepper";

    public void CacheEntryRejected(string reason) => _cacheEntriesRejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void BcryptVerification() => _bcrypt.Add(1);

    public void BcryptSkipped(string reason) => _bcryptSkipped.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void DependencyError(string dependency) => _dependencyErrors.Add(1, new KeyValuePair<string, object?>("dependency", dependency));

    public void UsageEventsDropped(long count) => _usageEventsDropped.Add(count);

    public void QuotaThresholdsDropped(long count) => _quotaThresholdsDropped.Add(count);

    public void RateLimitFallback(string mode) => _rateLimitFallbacks.Add(1, new KeyValuePair<string, object?>("mode", mode));

    /// <summary>A leak report revoked or flagged a key (<paramref name="reporter"/> and <paramref name="outcome"/> are constants of ours).</summary>
    public void LeakReported(string reporter, string outcome) =>
        _leaksReported.Add(1, new KeyValuePair<string, object?>("reporter", reporter), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>A key's hour now has <paramref name="distinctAddresses"/> distinct client addresses.</summary>
    public void KeyHourAddresses(long distinctAddresses, string ownerBucket) =>
        _keyHourAddresses.Record(distinctAddresses, new KeyValuePair<string, object?>(OwnerBucketTag, ownerBucket));

    /// <summary>Where <see cref="UsagePoisonMessagesName"/> reads from (null: not measured yet).</summary>
    public void ObserveUsagePoisonMessages(Func<long?> source) => _usagePoisonMessages = source;

    /// <summary>Where <see cref="OutboxBacklogAgeName"/> reads from, in seconds (null: the outbox is off or has not swept).</summary>
    public void ObserveOutboxBacklogAge(Func<double?> source) => _outboxBacklogAge = source;

    /// <summary>Where <see cref="RedisAvailableName"/> reads from (null: Redis is not configured).</summary>
    public void ObserveRedisAvailability(Func<bool?> source) => _redisAvailable = source;
}
