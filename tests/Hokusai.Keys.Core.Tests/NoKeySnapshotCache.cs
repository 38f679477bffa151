using Hokusai.Keys.Validation;

namespace Hokusai.Keys.Core.Tests;

/// <summary>A snapshot cache that holds nothing: every read goes to the store.</summary>
internal sealed class NoKeySnapshotCache : IKeySnapshotCache
{
    public ValueTask<KeySnapshot?> TryGetAsync(string keyId, CancellationToken cancellationToken) => ValueTask.FromResult<KeySnapshot?>(null);
    public ValueTask<bool> SetAsync(KeySnapshot snapshot, long loadStarted, CancellationToken cancellationToken) => ValueTask.FromResult(true);
    public ValueTask InvalidateAsync(string keyId, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
