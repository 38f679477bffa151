namespace Hokusai.Keys.Validation;

/// <summary>
/// The validation cache (in-process L1 + shared L2 with cross-instance invalidation in production).
/// Adapters must never let a cache failure become a validation failure: a failed read is a miss.
/// </summary>
public interface IKeySnapshotCache
{
    ValueTask<KeySnapshot?> TryGetAsync(string keyId, CancellationToken cancellationToken);

    ValueTask SetAsync(KeySnapshot snapshot, CancellationToken cancellationToken);

    /// <summary>Drops the entry here, in the shared cache and on every other instance.</summary>
    ValueTask InvalidateAsync(string keyId, CancellationToken cancellationToken);
}
