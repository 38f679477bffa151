using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Hokusai.Keys.Domain;
using Hokusai.Keys.RateLimiting;
using Hokusai.Keys.Security;
using Hokusai.Keys.Storage;
using Hokusai.Keys.Usage;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Validation;

/// <summary>
/// The one validator behind verify, authorize and management authentication. <see cref="DecideAsync"/> is the policy,
/// one named step after another: format and checksum (no I/O) → throttle (the caller's failed verifications) → lookup
/// (exists, with the right secret and environment prefix) → state (revoked, expired, required environment) → network
/// (client IP) → scope → limits (rate limit, quota; metered endpoints only) → <see cref="Record"/> (failures, metrics, usage).
/// Only a request that passed every other check consumes rate limit and quota; failed verifications are counted
/// per caller and, past the limit, the caller gets TOO_MANY_FAILURES for every key the cache cannot vouch for: it
/// keeps its cached keys (a shared address need not lock out everyone behind it) but causes no storage read or bcrypt.
/// A cached key costs one cache hit, one HMAC and a constant-time compare. A secret the cache cannot vouch for costs
/// one bcrypt — on the bounded <see cref="SecretVerificationQueue"/>, within the key id's <see cref="SecretCheckBudget"/>
/// — whether or not the key exists, so neither CPU nor timing tells an attacker more than NOT_FOUND does. A miss is
/// shared by all concurrent requests with the same key (single-flight); wrong secrets are remembered briefly.
/// </summary>
public sealed partial class KeyValidator(
    IKeyStore store,
    IKeySnapshotCache cache,
    SecretVerificationQueue verifications,
    SecretCheckBudget secretChecks,
    SecretDigester digester,
    TimeProvider time,
    KeyMetrics metrics,
    IUsageRecorder usage,
    IRateLimiter limiter,
    FailureLimiter failures,
    QuotaThresholdQueue thresholds,
    ILogger<KeyValidator> logger) : IDisposable
{
    private static readonly int[] QuotaThresholdPercents = [80, 100];

    private static readonly TimeSpan FailedSecretMemory = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan VerifiedSecretMemory = TimeSpan.FromHours(24);

    private readonly ConcurrentDictionary<string, Lazy<Task<Lookup>>> _inFlight = new(StringComparer.Ordinal);
    private readonly MemoryCache _failedSecrets = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    // Key id → digest of the secret verified for it (here by bcrypt, or by any instance for a snapshot the cache
    // vouched for). A key's secret never changes (rotation makes a new id), so a reload of a key in use needs a table
    // read but no bcrypt and no budget: forged secrets that spend an id's budget cannot lock its owner out.
    private readonly MemoryCache _verifiedSecrets = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    // Thresholds this instance already reported: a key over its quota must not cause a table write per refused request.
    private readonly MemoryCache _reportedThresholds = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    private volatile bool _disposed;

    /// <summary>What the lookup found: the key when the secret is right, else the refusal; and the key's owner when it exists at all.</summary>
    private readonly record struct Lookup(KeySnapshot? Key, ValidationCode Refusal, bool Cached, ExistingKey? Existing = null, bool Uncounted = false)
    {
        public static Lookup Found(KeySnapshot key, bool cached) => new(key, ValidationCode.Valid, cached, new(key.Id, key.Owner));
        public static Lookup Refused(ValidationCode code, bool cached, ExistingKey? existing = null) => new(null, code, cached, existing);

        /// <summary>
        /// NOT_FOUND because the key id's budget is spent, the secret unchecked. Not the caller's failure: it may be the
        /// owner's right secret, and the refusal cost nothing; the guesses that spent the budget were counted.
        /// </summary>
        public static Lookup BudgetSpent(bool cached, ExistingKey? existing = null) => new(null, ValidationCode.NotFound, cached, existing, Uncounted: true);
    }

    /// <summary>A key known to exist (its secret may still be wrong): only such keys get usage events.</summary>
    private readonly record struct ExistingKey(string Id, string Owner);

    /// <summary>The policy's answer, with what <see cref="Record"/> needs: whether the cache answered, the key's owner when it exists, whether a failure counts.</summary>
    private readonly record struct Outcome(ValidationResult Result, bool Cached, ExistingKey? Existing, bool Uncounted)
    {
        /// <summary>Refused before any lookup: no I/O, so reported with the cached answers.</summary>
        public static Outcome Unlooked(ValidationCode code) => new(new(code, null), Cached: true, null, Uncounted: false);

        public static Outcome Of(Lookup lookup) => new(new(lookup.Refusal, null), lookup.Cached, lookup.Existing, lookup.Uncounted);

        public static Outcome Of(Lookup lookup, ValidationResult result) => new(result, lookup.Cached, lookup.Existing, Uncounted: false);
    }

    public async ValueTask<ValidationResult> ValidateAsync(ValidationRequest request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var started = Stopwatch.GetTimestamp();
        var outcome = await DecideAsync(request, cancellationToken);
        Record(request, outcome, started);
        return outcome.Result;
    }

    /// <summary>The checks in the order they run; each refuses or passes the key on to the next.</summary>
    private async ValueTask<Outcome> DecideAsync(ValidationRequest request, CancellationToken cancellationToken)
    {
        // Format, then throttle: a throttled caller is not told even that its key is malformed.
        if (!ApiKeyFormat.TryParse(request.Key, out var parsed))
            return Outcome.Unlooked(IsThrottled(request) ? ValidationCode.TooManyFailures : ValidationCode.Malformed);
        var throttled = IsThrottled(request);

        var lookup = await LookUpAsync(parsed, throttled, cancellationToken);
        if (lookup.Key is not { } key) return Outcome.Of(lookup);
        // The environment prefix is part of the key's identity but not covered by the secret: a test key relabelled
        // hk_live_ (checksum recomputed) is refused like a wrong secret.
        if (key.Environment != parsed.Environment) return Outcome.Of(Lookup.Refused(ValidationCode.NotFound, lookup.Cached, lookup.Existing));

        var refusal = CheckState(key, request.RequiredEnvironment) ?? CheckNetwork(key, request.ClientIp) ?? CheckScope(key, request.RequiredScopes);
        if (refusal is { } code) return Outcome.Of(lookup, new ValidationResult(code, key));

        var limited = request.Endpoint.IsMetered() && (key.RateLimit is not null || key.Quota is not null);
        return Outcome.Of(lookup, limited ? await ApplyLimitsAsync(key, request.Cost, cancellationToken) : new ValidationResult(ValidationCode.Valid, key));
    }

    /// <summary>Throttle: whether the caller has used up its failed verifications (it then gets only what the cache vouches for).</summary>
    private bool IsThrottled(in ValidationRequest request) => request.Caller is { } caller && failures.IsBlocked(caller, request.GatewayEndUser);

    /// <summary>State: revoked, expired, suspended, or not the environment the caller requires.</summary>
    private ValidationCode? CheckState(KeySnapshot key, KeyEnvironment? requiredEnvironment)
    {
        if (key.RevokedAt is not null) return ValidationCode.Revoked;
        if (key.ExpiresAt is { } expires && expires <= time.GetUtcNow()) return ValidationCode.Expired;
        if (key.SuspendedAt is not null) return ValidationCode.Suspended;
        if (requiredEnvironment is { } environment && key.Environment != environment) return ValidationCode.WrongEnvironment;
        return null;
    }

    /// <summary>Network: the key's allow-list admits the client's address.</summary>
    private static ValidationCode? CheckNetwork(KeySnapshot key, IPAddress? clientIp) =>
        key.AllowList.Allows(clientIp) ? null : ValidationCode.IpNotAllowed;

    /// <summary>Scope: the key holds every required scope.</summary>
    private static ValidationCode? CheckScope(KeySnapshot key, IReadOnlyList<string>? requiredScopes)
    {
        if (requiredScopes is null) return null;
        foreach (var scope in requiredScopes)
            if (Array.IndexOf(key.Scopes, scope) < 0) return ValidationCode.InsufficientScope;
        return null;
    }

    /// <summary>Limits: consumes rate limit and quota (both or neither) and reports the quota thresholds crossed.</summary>
    private async ValueTask<ValidationResult> ApplyLimitsAsync(KeySnapshot key, int cost, CancellationToken cancellationToken)
    {
        var decision = await limiter.AcquireAsync(new LimitRequest(key.QuotaId, key.RateLimit, key.Quota, cost), cancellationToken);
        if (key.Quota is { } quota) ReportThresholds(key, quota, decision);
        var code = decision.Outcome switch
        {
            LimitOutcome.Allowed => ValidationCode.Valid,
            LimitOutcome.RateLimited => ValidationCode.RateLimited,
            LimitOutcome.QuotaExceeded => ValidationCode.QuotaExceeded,
            _ => ValidationCode.LimiterUnavailable,
        };
        return new ValidationResult(code, key, decision);
    }

    /// <summary>Queues each 80 % and 100 % threshold the decision crossed, once per (quota, period, percent) on this instance.</summary>
    private void ReportThresholds(KeySnapshot key, QuotaPolicy quota, LimitDecision decision)
    {
        if (decision.Outcome is not (LimitOutcome.Allowed or LimitOutcome.QuotaExceeded)) return;
        foreach (var percent in QuotaThresholdPercents)
        {
            var mark = quota.Limit * percent;
            var crossed = decision.Outcome == LimitOutcome.QuotaExceeded
                ? percent == 100
                : decision.QuotaUsedBefore * 100 < mark && mark <= decision.QuotaUsedAfter * 100;
            if (!crossed) continue;
            var periodStart = quota.PeriodStart(time.GetUtcNow());
            var reported = string.Concat(key.QuotaId, ":", periodStart.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture), ":", percent == 100 ? "100" : "80");
            if (_reportedThresholds.TryGetValue(reported, out _)) continue;
            _reportedThresholds.Set(reported, true, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = TimeSpan.FromHours(1) });
            thresholds.Post(new QuotaThreshold(key.Id, key.Owner, periodStart, quota.Period, percent, decision.QuotaUsedAfter, quota.Limit));
        }
    }

    /// <summary>
    /// Record: failed verifications count against the caller; every answer is counted in metrics; metered answers
    /// about keys that exist become usage events.
    /// </summary>
    private void Record(in ValidationRequest request, in Outcome outcome, long started)
    {
        var result = outcome.Result.Code;
        // VERIFICATION_BUSY counts too: otherwise a caller that keeps the bcrypt queue full would never be throttled.
        // UNAVAILABLE does not: a storage outage must not throttle honest callers.
        if (request.Caller is { } caller && ((result.IsAuthenticationFailure() && !outcome.Uncounted) || result == ValidationCode.VerificationBusy))
            failures.RecordFailure(caller, request.GatewayEndUser);

        var code = result.ToWire();
        // The owner only on refusals ("whose keys are failing"): hashing it on every valid answer would cost the hot path.
        var ownerBucket = result == ValidationCode.Valid ? OwnerBucket.None : OwnerBucket.Of(outcome.Existing?.Owner);
        metrics.Validation(code, request.Endpoint.ToTag(), EnvironmentTag(request.Key), ownerBucket, started, outcome.Cached);
        // Usage is stored per key only for keys that exist: refusals of unknown ids are counted in metrics, so
        // unauthenticated callers cannot make storage grow with ids they invent. Only a valid request adds its cost:
        // a forged key for a known id must not add to the owner's usage.
        if (request.Endpoint.IsMetered() && outcome.Existing is { } known)
            usage.Record(new UsageEvent(known.Id, known.Owner, time.GetUtcNow(), code, request.ClientIp, result == ValidationCode.Valid ? request.Cost : 0));
    }

    /// <summary>The environment a presented key claims by its prefix (<see cref="KeyMetrics.NoEnvironment"/> for none).</summary>
    private static string EnvironmentTag(string? key) =>
        key is null ? KeyMetrics.NoEnvironment
        : key.StartsWith(ApiKeyFormat.PrefixFor(KeyEnvironment.Live), StringComparison.Ordinal) ? KeyEnvironmentNames.Live
        : key.StartsWith(ApiKeyFormat.PrefixFor(KeyEnvironment.Test), StringComparison.Ordinal) ? KeyEnvironmentNames.Test
        : KeyMetrics.NoEnvironment;

    /// <summary>
    /// The key with the presented secret, from the cache or from storage and bcrypt. Every secret the cache cannot
    /// vouch for costs one bcrypt (real or decoy) within the key id's budget, so an unknown id, a known uncached one and
    /// a cached one with a wrong secret take the same time.
    /// </summary>
    private async ValueTask<Lookup> LookUpAsync(ParsedApiKey parsed, bool blocked, CancellationToken cancellationToken)
    {
        var keyId = parsed.KeyId;
        var snapshot = await cache.TryGetAsync(keyId, cancellationToken);
        metrics.CacheLookup(snapshot is not null);
        if (snapshot is { Exists: true, VerifiedDigest: { } verified } && DigestMatches(verified, parsed))
        {
            if (!_verifiedSecrets.TryGetValue(keyId, out _)) RememberVerifiedSecret(keyId, verified);
            return Lookup.Found(snapshot, cached: true);
        }
        // A blocked caller gets only what the cache vouches for: nothing that reads storage or runs bcrypt.
        if (blocked) return Lookup.Refused(ValidationCode.TooManyFailures, snapshot is not null);

        var digest = new byte[SecretDigester.DigestLength];
        digester.Compute(parsed.KeyIdSpan, parsed.Secret, digest);
        var flightKey = string.Concat(keyId, Convert.ToBase64String(digest));
        if (snapshot is not null)
        {
            // The cache already knows the answer (no such key, or another secret): refuse at the cost of a miss.
            var existing = snapshot.Exists ? new ExistingKey(snapshot.Id, snapshot.Owner) : (ExistingKey?)null;
            return await RefuseAtVerifyCostAsync(keyId, flightKey, parsed.Secret.ToString(), spendBudget: true, cached: true, existing);
        }
        if (_failedSecrets.TryGetValue(flightKey, out _)) return Lookup.Refused(ValidationCode.NotFound, cached: false);

        try
        {
            return await LoadAndVerifyOnceAsync(keyId, parsed, digest, flightKey);
        }
        catch (StorageUnavailableException)
        {
            return Lookup.Refused(ValidationCode.Unavailable, cached: false);
        }
    }

    /// <summary>
    /// NOT_FOUND after a decoy bcrypt: once per remembered wrong secret and within the key id's budget, like a real
    /// verification of a wrong secret. VERIFICATION_BUSY when the bcrypt queue is full, as for a real one.
    /// <paramref name="reserved"/>: the caller already holds a place in the queue, which this spends or gives back.
    /// </summary>
    private async Task<Lookup> RefuseAtVerifyCostAsync(
        string keyId, string flightKey, string secret, bool spendBudget, bool cached, ExistingKey? existing, bool reserved = false)
    {
        var notFound = Lookup.Refused(ValidationCode.NotFound, cached, existing);
        if (_failedSecrets.TryGetValue(flightKey, out _)) return notFound;
        if (!reserved && !verifications.TryReserve())
        {
            metrics.BcryptSkipped(QueueFull);
            return Lookup.Refused(ValidationCode.VerificationBusy, cached);
        }
        if (spendBudget && !secretChecks.TrySpend(keyId))
        {
            verifications.Release();
            metrics.BcryptSkipped(BudgetSpent);
            return Lookup.BudgetSpent(cached, existing);
        }
        await verifications.VerifyDecoyReserved(secret);
        RememberFailedSecret(flightKey);
        return notFound;
    }

    private const string BudgetSpent = "budget_spent", QueueFull = "queue_full";

    private void RememberFailedSecret(string flightKey) =>
        _failedSecrets.Set(flightKey, true, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = FailedSecretMemory });

    private void RememberVerifiedSecret(string keyId, byte[] digest) =>
        _verifiedSecrets.Set(keyId, digest, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = VerifiedSecretMemory });

    private bool WasVerified(string keyId, byte[] digest) =>
        _verifiedSecrets.TryGetValue(keyId, out byte[]? verified) && verified is not null && CryptographicOperations.FixedTimeEquals(verified, digest);

    /// <summary>The cached path computes the presented secret's digest on the stack: no allocation per request.</summary>
    private bool DigestMatches(byte[] verified, in ParsedApiKey parsed)
    {
        Span<byte> digest = stackalloc byte[SecretDigester.DigestLength];
        digester.Compute(parsed.KeyIdSpan, parsed.Secret, digest);
        return CryptographicOperations.FixedTimeEquals(verified, digest);
    }

    private async Task<Lookup> LoadAndVerifyOnceAsync(string keyId, ParsedApiKey parsed, byte[] digest, string flightKey)
    {
        var secret = parsed.Secret.ToString();
        var flight = _inFlight.GetOrAdd(flightKey, _ => new Lazy<Task<Lookup>>(() => LoadAndVerifyAsync(keyId, secret, digest, flightKey)));
        try
        {
            return await flight.Value;
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<string, Lazy<Task<Lookup>>>(flightKey, flight));
        }
    }

    private async Task<Lookup> LoadAndVerifyAsync(string keyId, string secret, byte[] digest, string flightKey)
    {
        // The flight is shared, so no single caller's cancellation may abort it.
        var cancellationToken = CancellationToken.None;

        // A flight that finished just before this one started has already filled the cache.
        var again = await cache.TryGetAsync(keyId, cancellationToken);
        if (again is { Exists: true, VerifiedDigest: { } verified } && CryptographicOperations.FixedTimeEquals(verified, digest)) return Lookup.Found(again, cached: true);
        if (again is not null)
            return await RefuseAtVerifyCostAsync(keyId, flightKey, secret, spendBudget: true, cached: true, again.Exists ? new ExistingKey(again.Id, again.Owner) : null);

        // A secret verified before (the key was in use and left the cache) needs the table read, not bcrypt.
        var reserved = false;
        if (!WasVerified(keyId, digest))
        {
            // Before any I/O: a place in the bcrypt queue, then the key id's budget. With the queue full or past the
            // budget, the answer does not depend on whether the key exists, and costs no storage read or cache write.
            if (!verifications.TryReserve())
            {
                metrics.BcryptSkipped(QueueFull);
                return Lookup.Refused(ValidationCode.VerificationBusy, cached: false);
            }
            if (!secretChecks.TrySpend(keyId))
            {
                verifications.Release();
                metrics.BcryptSkipped(BudgetSpent);
                return Lookup.BudgetSpent(cached: false);
            }
            reserved = true;
        }

        try
        {
            var loadStarted = Stopwatch.GetTimestamp();
            var stored = await store.GetAsync(keyId, cancellationToken);
            if (stored is null || stored.Record.IsPending)
            {
                await cache.SetAsync(KeySnapshot.Missing(keyId), loadStarted, cancellationToken);
                if (!reserved) return Lookup.Refused(ValidationCode.NotFound, cached: false);
                reserved = false;
                return await RefuseAtVerifyCostAsync(keyId, flightKey, secret, spendBudget: false, cached: false, existing: null, reserved: true);
            }

            var record = stored.Record;
            if (reserved)
            {
                reserved = false;
                if (!await verifications.VerifyReserved(secret, record.SecretHash, record.HashScheme))
                {
                    LogWrongSecret(logger, keyId);
                    RememberFailedSecret(flightKey);
                    return Lookup.Refused(ValidationCode.NotFound, cached: false, new ExistingKey(record.Id, record.Owner));
                }
                RememberVerifiedSecret(keyId, digest);
            }
            return await CacheVerifiedAsync(keyId, record, digest, loadStarted, cancellationToken);
        }
        finally
        {
            if (reserved) verifications.Release();
        }
    }

    private async Task<Lookup> CacheVerifiedAsync(string keyId, ApiKeyRecord record, byte[] digest, long loadStarted, CancellationToken cancellationToken)
    {
        var snapshot = KeySnapshot.From(record, digest);
        if (await cache.SetAsync(snapshot, loadStarted, cancellationToken)) return Lookup.Found(snapshot, cached: false);

        // The key changed (e.g. was revoked) while bcrypt ran: answer from a fresh read, and cache nothing stale.
        // A key's secret hash never changes, so the verification above still holds.
        var fresh = await store.GetAsync(keyId, cancellationToken);
        return fresh is null || fresh.Record.IsPending
            ? Lookup.Refused(ValidationCode.NotFound, cached: false)
            : Lookup.Found(KeySnapshot.From(fresh.Record, digest), cached: false);
    }

    /// <summary>Disposes the caches this validator owns; validations after this throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        _disposed = true;
        _failedSecrets.Dispose();
        _verifiedSecrets.Dispose();
        _reportedThresholds.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrong secret presented for key {KeyId}")]
    private static partial void LogWrongSecret(ILogger logger, string keyId);
}
