using System.Collections.Concurrent;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Storage;

namespace Hokusai.Keys.Core.Tests;

/// <summary>
/// An <see cref="IKeyStore"/> with the ETag semantics of the table store, in memory. Every call yields first, so
/// concurrent callers interleave between their reads and their conditional writes.
/// </summary>
public sealed class InMemoryKeyStore : IKeyStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, StoredKey> _keys = [];
    private readonly ConcurrentQueue<KeyEvent> _events = new();
    private long _version;

    public IReadOnlyCollection<ApiKeyRecord> Records { get { lock (_gate) return _keys.Values.Select(k => k.Record).ToList(); } }

    public IReadOnlyCollection<KeyEvent> Events => _events;

    public int Deletes;

    /// <summary>Point reads (<see cref="GetAsync"/>) so far.</summary>
    public int Reads;

    /// <summary>When set, reads fail as the table store fails when storage cannot be reached.</summary>
    public bool Unavailable { get; set; }

    public Task EnsureCreatedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<StoredKey?> GetAsync(string keyId, CancellationToken cancellationToken)
    {
        await Task.Yield();
        Interlocked.Increment(ref Reads);
        if (Unavailable) throw new StorageUnavailableException("Key storage is unavailable (test).");
        lock (_gate) return _keys.GetValueOrDefault(keyId);
    }

    public async Task<string> CreateAsync(ApiKeyRecord record, KeyEvent created, CancellationToken cancellationToken)
    {
        await Task.Yield();
        lock (_gate)
        {
            if (_keys.ContainsKey(record.Id)) throw new InvalidOperationException($"{record.Id} exists");
            var etag = NextETag();
            _keys[record.Id] = new StoredKey(record, etag);
            _events.Enqueue(created);
            return etag;
        }
    }

    public async Task<string> ReplaceAsync(ApiKeyRecord record, string etag, KeyEvent? change, CancellationToken cancellationToken)
    {
        await Task.Yield();
        lock (_gate)
        {
            if (!_keys.TryGetValue(record.Id, out var stored) || stored.ETag != etag) throw new ConcurrencyConflictException($"{record.Id} changed");
            var next = NextETag();
            _keys[record.Id] = new StoredKey(record, next);
            if (change is not null) _events.Enqueue(change);
            return next;
        }
    }

    public async Task<bool> DeleteAsync(string keyId, string etag, CancellationToken cancellationToken)
    {
        await Task.Yield();
        lock (_gate)
        {
            if (!_keys.TryGetValue(keyId, out var stored) || stored.ETag != etag) return false;
            Interlocked.Increment(ref Deletes);
            return _keys.Remove(keyId);
        }
    }

    public Task<KeyListPage> ListAsync(string? owner, string? after, int take, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<(IReadOnlyList<KeyEvent> Items, string? NextCursor)> ListEventsAsync(string keyId, string? cursor, int take, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    public Task<string?> GetBootstrapAdminIdAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    public Task SetBootstrapAdminIdAsync(string keyId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> PingAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    private string NextETag() => "W/\"" + Interlocked.Increment(ref _version) + "\"";
}
