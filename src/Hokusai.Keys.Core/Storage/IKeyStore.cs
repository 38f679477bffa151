using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Storage;

/// <summary>
/// Persistence of keys. Implementations must make a key visible only once it is completely written, write each change
/// together with its audit event atomically, and report an unreachable store as <see cref="StorageUnavailableException"/>.
/// </summary>
public interface IKeyStore
{
    Task EnsureCreatedAsync(CancellationToken cancellationToken);

    Task<StoredKey?> GetAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>Inserts a new key and its creation event (and the owner listing index).</summary>
    Task<string> CreateAsync(ApiKeyRecord record, KeyEvent created, CancellationToken cancellationToken);

    /// <summary>Replaces a key if <paramref name="etag"/> still matches, with its event in the same transaction.</summary>
    /// <exception cref="ConcurrencyConflictException">The key changed since it was read.</exception>
    Task<string> ReplaceAsync(ApiKeyRecord record, string etag, KeyEvent? change, CancellationToken cancellationToken);

    /// <summary>
    /// Removes a key that never became visible (a rotation that lost or died), only if it is unchanged since
    /// <paramref name="etag"/>: false when it changed or is gone.
    /// </summary>
    Task<bool> DeleteAsync(string keyId, string etag, CancellationToken cancellationToken);

    /// <summary>Keys newest first; <paramref name="owner"/> null lists every owner's keys.</summary>
    Task<KeyListPage> ListAsync(string? owner, string? after, int take, CancellationToken cancellationToken);

    /// <summary>Audit events of one key, newest first.</summary>
    Task<(IReadOnlyList<KeyEvent> Items, string? NextCursor)> ListEventsAsync(string keyId, string? cursor, int take, CancellationToken cancellationToken);

    Task<string?> GetBootstrapAdminIdAsync(CancellationToken cancellationToken);

    Task SetBootstrapAdminIdAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>True when the store answers.</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);
}
