using System.Collections.Concurrent;
using Hokusai.Keys.Client.Models;
using Microsoft.Extensions.Caching.Memory;

namespace Hokusai.Keys.AspNetCore;

/// <summary>
/// The handler's verify answers, keyed by scheme, SHA-256 of the key and caller IP, with what eviction needs: each
/// answer is stamped with a sequence number taken <em>before</em> its verify call, each eviction of a key id (and each
/// clear) takes a later one, and an answer stamped before its key's last eviction is not used. So an answer that was
/// in flight while its key changed is never reused, and eviction needs no index of cache entries.
/// </summary>
internal sealed class AnswerCache : IDisposable
{
    /// <summary>
    /// After a change, a key's valid answers are reused only briefly for this long: the feed's entry is written before the
    /// change commits, so an answer fetched right after the eviction may predate the change (the server's storage timeout bounds the gap).
    /// </summary>
    internal static readonly TimeSpan SettleAfterChange = TimeSpan.FromSeconds(15);

    private readonly MemoryCache _answers = new(new MemoryCacheOptions());
    private readonly ConcurrentDictionary<string, Eviction> _evictions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FeedState> _feeds = new(StringComparer.Ordinal);
    private long _sequence;
    private long _clearedAt;

    internal sealed record Answer(VerifyResult Result, string? KeyId, DateTimeOffset CachedAt, long Stamp);

    private readonly record struct Eviction(long Sequence, DateTimeOffset At);

    /// <summary>Take before calling verify; store the answer with it.</summary>
    public long Stamp() => Interlocked.Read(ref _sequence);

    /// <summary>The feed state of a scheme (not following until its follower got an answer).</summary>
    public FeedState Feed(string scheme) => _feeds.GetOrAdd(scheme, _ => new FeedState());

    public bool TryGet(string cacheKey, out Answer answer)
    {
        answer = null!;
        if (!_answers.TryGetValue(cacheKey, out Answer? found) || found is null) return false;
        if (found.Stamp < Interlocked.Read(ref _clearedAt)) return false;
        if (found.KeyId is not null && _evictions.TryGetValue(found.KeyId, out var eviction) && found.Stamp < eviction.Sequence) return false;
        answer = found;
        return true;
    }

    public void Set(string cacheKey, Answer answer, TimeSpan ttl)
    {
        if (ttl > TimeSpan.Zero) _answers.Set(cacheKey, answer, ttl);
    }

    /// <summary>True when <paramref name="keyId"/> changed within <see cref="SettleAfterChange"/>.</summary>
    public bool ChangedRecently(string? keyId, DateTimeOffset now) =>
        keyId is not null && _evictions.TryGetValue(keyId, out var eviction) && now - eviction.At < SettleAfterChange;

    /// <summary>Answers of <paramref name="keyId"/> stamped before now are no longer used.</summary>
    public void Evict(string keyId, DateTimeOffset now) => _evictions[keyId] = new Eviction(Interlocked.Increment(ref _sequence), now);

    /// <summary>Every answer stamped before now is no longer used (the feed lost track: 410).</summary>
    public void Clear()
    {
        Interlocked.Exchange(ref _clearedAt, Interlocked.Increment(ref _sequence));
        _answers.Compact(1.0);
    }

    /// <summary>Forgets evictions older than any answer stamped before them can live.</summary>
    public void Forget(DateTimeOffset before)
    {
        foreach (var (keyId, eviction) in _evictions)
            if (eviction.At < before) _evictions.TryRemove(new KeyValuePair<string, Eviction>(keyId, eviction));
    }

    /// <summary>The key id of a presented key in the Hokusai format (<c>hk_live_</c>/<c>hk_test_</c>, 16-character id), else null.</summary>
    public static string? KeyIdOf(string key) =>
        key.Length == 58 && (key.StartsWith("hk_live_", StringComparison.Ordinal) || key.StartsWith("hk_test_", StringComparison.Ordinal)) ? key[8..24] : null;

    public void Dispose() => _answers.Dispose();
}
