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

    public KeyMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _validations = meter.CreateCounter<long>("hokusai.validations", "{validation}", "Key validations by outcome code and endpoint.");
        _validationDuration = meter.CreateHistogram<double>("hokusai.validation.duration", "s", "Time to validate a key, by cache level that answered.");
        _cacheLookups = meter.CreateCounter<long>("hokusai.cache.lookups", "{lookup}", "Key cache lookups by result (hit, miss).");
        _cacheEntriesRejected = meter.CreateCounter<long>("hokusai.cache.entries_rejected", "{entry}", "Shared cache entries read as a miss, by reason (integrity: failed MAC, tampered; pepper: made by an instance with another pepper).");
        _bcrypt = meter.CreateCounter<long>("hokusai.bcrypt.verifications", "{verification}", "bcrypt verifications (cache misses that needed the slow hash).");
        _bcryptSkipped = meter.CreateCounter<long>("hokusai.bcrypt.skipped", "{verification}", "bcrypt verifications not run, by reason (budget_spent: the key id's budget; queue_full: answered 503).");
        _dependencyErrors = meter.CreateCounter<long>("hokusai.dependency.errors", "{error}", "Failed calls to Redis or Table Storage, by dependency.");
        _usageEventsDropped = meter.CreateCounter<long>("hokusai.usage.events_dropped", "{event}", "Usage events lost because the in-process buffer was full.");
        _quotaThresholdsDropped = meter.CreateCounter<long>("hokusai.quota.thresholds_dropped", "{event}", "Quota threshold events not recorded because the in-process queue was full or shutdown had begun.");
        _rateLimitFallbacks = meter.CreateCounter<long>("hokusai.ratelimit.fallbacks", "{decision}", "Rate-limit decisions made without Redis, by failure mode.");
    }

    // Boxed once: a tag value boxed per call would allocate on every validation.
    private static readonly object True = true, False = false;

    public void Validation(string code, string endpoint, long startTimestamp, bool cached)
    {
        _validations.Add(1, new KeyValuePair<string, object?>("code", code), new KeyValuePair<string, object?>("endpoint", endpoint));
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
}
