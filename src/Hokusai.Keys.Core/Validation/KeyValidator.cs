using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Hokusai.Keys.Keys;
using Hokusai.Keys.RateLimiting;
using Hokusai.Keys.Security;
using Hokusai.Keys.Storage;
using Hokusai.Keys.Usage;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Validation;

/// <summary>What to validate: the presented key, the client's address (for the allow-list), required scopes, and the cost to consume.</summary>
public readonly record struct ValidationRequest(string? Key, IPAddress? ClientIp, IReadOnlyList<string>? RequiredScopes, string Endpoint)
{
    public int Cost { get; init; } = 1;

    /// <summary>Whose failed verifications are counted (defaults to <see cref="ClientIp"/>).</summary>
    public IPAddress? Requester { get; init; }

    /// <summary>When set, a key of the other environment is refused with <see cref="ValidationCode.WrongEnvironment"/>.</summary>
    public KeyEnvironment? RequiredEnvironment { get; init; }
}

public readonly record struct ValidationResult(ValidationCode Code, KeySnapshot? Key, LimitDecision? Limits = null)
{
    public bool IsValid => Code == ValidationCode.Valid;
}

/// <summary>
/// The one validator behind verify, authorize and management authentication. Checks, in order: format and checksum
/// (no I/O) → exists (with the right secret and environment prefix) → revoked → expired → required environment →
/// client IP → scopes → rate limit → quota.
/// Only a request that passed every other check consumes rate limit and quota; failed verifications are counted
/// per client address and, past the limit, answered TOO_MANY_FAILURES before any lookup.
/// A cached key costs one cache hit, one HMAC and a constant-time compare. A miss costs one Table read and one
/// bcrypt verify, shared by all concurrent requests with the same key (single-flight); wrong secrets are remembered
/// briefly so a flood of them cannot keep bcrypt busy.
/// </summary>
public sealed partial class KeyValidator(
    IKeyStore store,
    IKeySnapshotCache cache,
    ISecretHasher hasher,
    SecretDigester digester,
    TimeProvider time,
    KeyMetrics metrics,
    IUsageRecorder usage,
    IRateLimiter limiter,
    FailureLimiter failures,
    IQuotaThresholdSink thresholds,
    ILogger<KeyValidator> logger)
{
    private static readonly int[] QuotaThresholdPercents = [80, 100];

    /// <summary>The endpoint name of management authentication: it records no usage event.</summary>
    public const string ManagementEndpoint = "management";

    private static readonly TimeSpan FailedSecretMemory = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, Lazy<Task<KeySnapshot?>>> _inFlight = new(StringComparer.Ordinal);
    private readonly MemoryCache _failedSecrets = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    // Thresholds this instance already reported: a key over its quota must not cause a table write per refused request.
    private readonly MemoryCache _reportedThresholds = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    public async ValueTask<ValidationResult> ValidateAsync(ValidationRequest request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var limited = request.Endpoint != ManagementEndpoint;
        var requester = limited ? request.Requester ?? request.ClientIp : null;

        ValidationResult result;
        var cached = true;
        string? keyId = null;
        if (requester is not null && failures.IsBlocked(requester))
        {
            result = new(ValidationCode.TooManyFailures, null);
        }
        else
        {
            (result, cached, keyId) = await ValidateCoreAsync(request.Key, request.ClientIp, request.RequiredScopes, request.RequiredEnvironment, cancellationToken);
            if (limited && result.Code == ValidationCode.Valid && result.Key is { } key && (key.RateLimit is not null || key.Quota is not null))
                result = await ApplyLimitsAsync(key, request.Cost, cancellationToken);
            if (requester is not null && result.Code.IsAuthenticationFailure()) failures.RecordFailure(requester);
        }

        var code = result.Code.ToWire();
        metrics.Validation(code, request.Endpoint, started, cached);
        // The key id: the snapshot's when found, else the one parsed by the validation; a throttled address's key was not
        // parsed yet.
        if (limited && result.Code is not (ValidationCode.Malformed or ValidationCode.Unavailable)
            && (result.Key?.Id ?? keyId ?? (ApiKeyFormat.TryParse(request.Key, out var parsed) ? parsed.KeyId : null)) is { } usageKeyId)
            usage.Record(new UsageEvent(usageKeyId, result.Key?.Owner ?? "", time.GetUtcNow(), code, request.ClientIp, request.Cost));
        return result;
    }

    private async ValueTask<ValidationResult> ApplyLimitsAsync(KeySnapshot key, int cost, CancellationToken cancellationToken)
    {
        var decision = await limiter.AcquireAsync(new LimitRequest(key.QuotaId, key.RateLimit, key.Quota, cost), cancellationToken);
        if (key.Quota is { } quota && decision.Outcome is LimitOutcome.Allowed or LimitOutcome.QuotaExceeded)
        {
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
                NotifyThreshold(new QuotaThreshold(key.Id, key.Owner, periodStart, quota.Period, percent, decision.QuotaUsedAfter, quota.Limit));
            }
        }
        var code = decision.Outcome switch
        {
            LimitOutcome.Allowed => ValidationCode.Valid,
            LimitOutcome.RateLimited => ValidationCode.RateLimited,
            LimitOutcome.QuotaExceeded => ValidationCode.QuotaExceeded,
            _ => ValidationCode.LimiterUnavailable,
        };
        return new ValidationResult(code, key, decision);
    }

    /// <summary>Off the request path: a slow or failing sink must not delay or fail validation.</summary>
    private void NotifyThreshold(QuotaThreshold threshold) => _ = Task.Run(async () =>
    {
        try
        {
            await thresholds.QuotaThresholdCrossedAsync(threshold, CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogThresholdFailed(logger, threshold.KeyId, threshold.Percent, ex.GetType().Name);
        }
    });

    private async ValueTask<(ValidationResult, bool Cached, string? KeyId)> ValidateCoreAsync(
        string? presentedKey, IPAddress? clientIp, IReadOnlyList<string>? requiredScopes, KeyEnvironment? requiredEnvironment,
        CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.TryParse(presentedKey, out var parsed)) return (new(ValidationCode.Malformed, null), true, null);

        var keyId = parsed.KeyId;
        var snapshot = await cache.TryGetAsync(keyId, cancellationToken);
        metrics.CacheLookup(snapshot is not null);
        var cached = snapshot is not null;
        byte[]? loadedWith = null;
        if (snapshot is null)
        {
            loadedWith = new byte[SecretDigester.DigestLength];
            digester.Compute(parsed.KeyIdSpan, parsed.Secret, loadedWith);
            try
            {
                snapshot = await LoadAndVerifyOnceAsync(keyId, parsed, loadedWith);
            }
            catch (StorageUnavailableException)
            {
                return (new(ValidationCode.Unavailable, null), false, keyId);
            }
            if (snapshot is null) return (new(ValidationCode.NotFound, null), false, keyId);
        }

        if (!IsThisKey(snapshot, parsed, loadedWith)) return (new(ValidationCode.NotFound, null), cached, keyId);

        return (new(Check(snapshot, clientIp, requiredScopes, requiredEnvironment), snapshot), cached, keyId);
    }

    /// <summary>
    /// The presented key is this key when the secret matches and so does the environment prefix: the prefix is not
    /// covered by the secret, so a test key relabelled <c>hk_live_</c> (with a recomputed checksum) would otherwise pass.
    /// </summary>
    private bool IsThisKey(KeySnapshot snapshot, in ParsedApiKey parsed, byte[]? loadedWith) =>
        snapshot.Exists && snapshot.VerifiedDigest is not null && DigestMatches(snapshot.VerifiedDigest, parsed, loadedWith)
        && snapshot.Environment == parsed.Environment;

    /// <summary>The cached path computes the presented secret's digest on the stack: no allocation per request.</summary>
    private bool DigestMatches(byte[] verified, in ParsedApiKey parsed, byte[]? alreadyComputed)
    {
        if (alreadyComputed is not null) return CryptographicOperations.FixedTimeEquals(verified, alreadyComputed);
        Span<byte> digest = stackalloc byte[SecretDigester.DigestLength];
        digester.Compute(parsed.KeyIdSpan, parsed.Secret, digest);
        return CryptographicOperations.FixedTimeEquals(verified, digest);
    }

    private ValidationCode Check(KeySnapshot key, IPAddress? clientIp, IReadOnlyList<string>? requiredScopes, KeyEnvironment? requiredEnvironment)
    {
        if (key.RevokedAt is not null) return ValidationCode.Revoked;
        if (key.ExpiresAt is { } expires && expires <= time.GetUtcNow()) return ValidationCode.Expired;
        if (requiredEnvironment is { } environment && key.Environment != environment) return ValidationCode.WrongEnvironment;
        if (!key.AllowList.Allows(clientIp)) return ValidationCode.IpNotAllowed;
        if (requiredScopes is not null)
        {
            foreach (var scope in requiredScopes)
                if (Array.IndexOf(key.Scopes, scope) < 0) return ValidationCode.InsufficientScope;
        }
        return ValidationCode.Valid;
    }

    /// <summary>Null when the secret is wrong; a snapshot with Exists=false when there is no such key.</summary>
    private async Task<KeySnapshot?> LoadAndVerifyOnceAsync(string keyId, ParsedApiKey parsed, byte[] digest)
    {
        var flightKey = string.Concat(keyId, Convert.ToBase64String(digest));
        if (_failedSecrets.TryGetValue(flightKey, out _)) return null;

        var secret = parsed.Secret.ToString();
        var flight = _inFlight.GetOrAdd(flightKey, _ => new Lazy<Task<KeySnapshot?>>(() => LoadAndVerifyAsync(keyId, secret, digest, flightKey)));
        try
        {
            return await flight.Value;
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<string, Lazy<Task<KeySnapshot?>>>(flightKey, flight));
        }
    }

    private async Task<KeySnapshot?> LoadAndVerifyAsync(string keyId, string secret, byte[] digest, string flightKey)
    {
        // The flight is shared, so no single caller's cancellation may abort it.
        var cancellationToken = CancellationToken.None;

        // A flight that finished just before this one started has already filled the cache.
        var again = await cache.TryGetAsync(keyId, cancellationToken);
        if (again is not null) return again;

        var loadStarted = Stopwatch.GetTimestamp();
        var stored = await store.GetAsync(keyId, cancellationToken);
        if (stored is null || stored.Record.IsPending)
        {
            var missing = KeySnapshot.Missing(keyId);
            await cache.SetAsync(missing, loadStarted, cancellationToken);
            return missing;
        }

        var record = stored.Record;
        if (!hasher.Verify(secret, record.SecretHash, record.HashScheme))
        {
            LogWrongSecret(logger, keyId);
            _failedSecrets.Set(flightKey, true, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = FailedSecretMemory });
            return null;
        }

        var snapshot = KeySnapshot.From(record, digest);
        if (await cache.SetAsync(snapshot, loadStarted, cancellationToken)) return snapshot;

        // The key changed (e.g. was revoked) while bcrypt ran: answer from a fresh read, and cache nothing stale.
        // A key's secret hash never changes, so the verification above still holds.
        var fresh = await store.GetAsync(keyId, cancellationToken);
        return fresh is null || fresh.Record.IsPending ? KeySnapshot.Missing(keyId) : KeySnapshot.From(fresh.Record, digest);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the {Percent} % quota threshold of key {KeyId} ({ExceptionType})")]
    private static partial void LogThresholdFailed(ILogger logger, string keyId, int percent, string exceptionType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Wrong secret presented for key {KeyId}")]
    private static partial void LogWrongSecret(ILogger logger, string keyId);
}
