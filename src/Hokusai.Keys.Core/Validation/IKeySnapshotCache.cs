namespace Hokusai.Keys.Validation;

/// <summary>
/// The validation cache (in-process L1 + shared L2 with cross-instance invalidation in production).
/// Adapters must never let a cache failure become a validation failure: a failed read is a miss.
/// </summary>
public interface IKeySnapshotCache
{
    ValueTask<KeySnapshot?> TryGetAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a snapshot loaded from storage at <paramref name="loadStarted"/> (a <see cref="System.Diagnostics.Stopwatch"/>
    /// timestamp) unless the key was invalidated here or on another instance since then: false means it was not stored,
    /// because a change raced the load and the snapshot may be stale.
    /// </summary>
    ValueTask<bool> SetAsync(KeySnapshot snapshot, long loadStarted, CancellationToken cancellationToken);

    /// <summary>Drops the entry here, in the shared cache and on every other instance.</summary>
    ValueTask InvalidateAsync(string keyId, CancellationToken cancellationToken);
}
