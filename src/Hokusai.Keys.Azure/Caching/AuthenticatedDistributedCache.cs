using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Hokusai.Keys.Security;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Azure.Caching;

/// <summary>
/// The shared cache (Redis) as the key cache sees it: every value written carries the pepper's fingerprint and an
/// HMAC-SHA256, keyed from the pepper, over the fingerprint, the cache key and the exact bytes FusionCache serialized
/// (its entry with the whole <see cref="Validation.KeySnapshot"/>). Whoever can write to Redis but does not hold the
/// pepper cannot forge, edit or move an entry: a value that fails the check is a miss (re-read from Table Storage),
/// counted and logged. A value made with another pepper is a plain miss: its digest could not be compared anyway; each
/// foreign pepper fingerprint is logged once (expected during a rotation, a sign of a misconfiguration otherwise).
/// A value past the expiry it was written with is a miss, so a genuine old value put back in Redis is honoured at most
/// for the lifetime it was given. Only values coming from Redis are checked; L1 hits never pass through here.
/// </summary>
/// <remarks>
/// Layout: <c>[version 1][fingerprint 4][expiry 8, Unix ms][mac 32][payload]</c>. The MAC covers everything before it
/// and the serialized bytes as stored, so nothing depends on how JSON is re-serialized, and a field added to the
/// snapshot is covered without further work.
/// </remarks>
internal sealed partial class AuthenticatedDistributedCache : IDistributedCache
{
    private const byte Version = 1;
    private const int FingerprintLength = 4;
    private const int ExpiryLength = 8;
    private const int MacLength = 32;
    private const int SignedHeaderLength = 1 + FingerprintLength + ExpiryLength;
    private const int HeaderLength = SignedHeaderLength + MacLength;
    private static readonly long LogInterval = Stopwatch.Frequency * 600;

    private readonly IDistributedCache _inner;
    private readonly byte[] _macKey;
    private readonly byte[] _fingerprint;
    private readonly KeyMetrics _metrics;
    private readonly ILogger _logger;

    // Cache keys whose failed check was logged recently: a tampered entry read on every L1 expiry logs once per interval.
    private readonly ConcurrentDictionary<string, long> _loggedAt = new(StringComparer.Ordinal);

    private readonly TimeProvider _time;

    // Foreign pepper fingerprints already logged: once each, and at most MaxLoggedFingerprints (the value is attacker-writable).
    private readonly ConcurrentDictionary<uint, bool> _loggedFingerprints = new();
    private const int MaxLoggedFingerprints = 64;

    public AuthenticatedDistributedCache(IDistributedCache inner, SecretDigester digester, KeyMetrics metrics, ILogger logger, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _inner = inner;
        _macKey = digester.DeriveKey("hokusai-cache-mac-v1");
        _fingerprint = Convert.FromHexString(digester.Fingerprint);
        _metrics = metrics;
        _logger = logger;
    }

    public byte[]? Get(string key) => Open(key, _inner.Get(key));

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Open(key, await _inner.GetAsync(key, token));

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => _inner.Set(key, Seal(key, value, options), options);

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        _inner.SetAsync(key, Seal(key, value, options), options, token);

    public void Refresh(string key) => _inner.Refresh(key);

    public Task RefreshAsync(string key, CancellationToken token = default) => _inner.RefreshAsync(key, token);

    public void Remove(string key) => _inner.Remove(key);

    public Task RemoveAsync(string key, CancellationToken token = default) => _inner.RemoveAsync(key, token);

    private byte[] Seal(string key, byte[] payload, DistributedCacheEntryOptions options)
    {
        var now = _time.GetUtcNow();
        var expires = options.AbsoluteExpiration
            ?? (options.AbsoluteExpirationRelativeToNow is { } lifetime ? now + lifetime : DateTimeOffset.MaxValue);
        var sealedValue = new byte[HeaderLength + payload.Length];
        sealedValue[0] = Version;
        _fingerprint.CopyTo(sealedValue, 1);
        BinaryPrimitives.WriteInt64BigEndian(sealedValue.AsSpan(1 + FingerprintLength), expires.ToUnixTimeMilliseconds());
        payload.CopyTo(sealedValue, HeaderLength);
        ComputeMac(key, sealedValue.AsSpan(0, SignedHeaderLength), payload, sealedValue.AsSpan(SignedHeaderLength, MacLength));
        return sealedValue;
    }

    private byte[]? Open(string key, byte[]? stored)
    {
        if (stored is null) return null;
        if (stored.Length < HeaderLength || stored[0] != Version)
            return Reject(key, KeyMetrics.RejectedIntegrity);
        if (!stored.AsSpan(1, FingerprintLength).SequenceEqual(_fingerprint))
        {
            var foreign = BinaryPrimitives.ReadUInt32BigEndian(stored.AsSpan(1, FingerprintLength));
            if (_loggedFingerprints.Count < MaxLoggedFingerprints && _loggedFingerprints.TryAdd(foreign, true))
                LogForeignPepper(_logger, foreign.ToString("x8", System.Globalization.CultureInfo.InvariantCulture), key);
            return Reject(key, KeyMetrics.RejectedPepper);
        }

        Span<byte> expected = stackalloc byte[MacLength];
        var payload = stored.AsSpan(HeaderLength);
        ComputeMac(key, stored.AsSpan(0, SignedHeaderLength), payload, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, stored.AsSpan(SignedHeaderLength, MacLength)))
            return Reject(key, KeyMetrics.RejectedIntegrity);
        // Genuine but past its lifetime: Redis would have dropped it unless someone kept or put it back. A miss.
        if (BinaryPrimitives.ReadInt64BigEndian(stored.AsSpan(1 + FingerprintLength)) <= _time.GetUtcNow().ToUnixTimeMilliseconds())
            return null;
        return payload.ToArray();
    }

    /// <summary>HMAC over version, fingerprint and expiry, the cache key (length-prefixed) and the payload: an entry cannot be moved to another key.</summary>
    private void ComputeMac(string key, ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _macKey);
        hmac.AppendData(header);
        var keyBytes = Encoding.UTF8.GetBytes(key);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, keyBytes.Length);
        hmac.AppendData(length);
        hmac.AppendData(keyBytes);
        hmac.AppendData(payload);
        hmac.GetHashAndReset(destination);
    }

    private byte[]? Reject(string key, string reason)
    {
        _metrics.CacheEntryRejected(reason);
        // Another pepper's entry is expected during a rotation or with per-process peppers: counted, its fingerprint logged once (above).
        if (reason != KeyMetrics.RejectedIntegrity) return null;
        var now = Stopwatch.GetTimestamp();
        if (_loggedAt.TryGetValue(key, out var at) && now - at < LogInterval) return null;
        _loggedAt[key] = now;
        if (_loggedAt.Count > 10_000)
            foreach (var (logged, when) in _loggedAt)
                if (now - when >= LogInterval) _loggedAt.TryRemove(logged, out _);
        // The key only: the value is attacker-written and may hold anything.
        LogIntegrityFailure(_logger, key);
        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shared cache entry {CacheKey} was made with pepper {PepperFingerprint}, not this instance's: ignored (expected during a pepper rotation; otherwise instances run with different peppers); logged once per fingerprint")]
    private static partial void LogForeignPepper(ILogger logger, string pepperFingerprint, string cacheKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shared cache entry {CacheKey} failed its integrity check (edited in Redis without the pepper?); it was ignored and the key is read from storage")]
    private static partial void LogIntegrityFailure(ILogger logger, string cacheKey);
}
