using Hokusai.Keys.Domain;
using Hokusai.Keys.Storage;

namespace Hokusai.Keys.Management;

/// <summary>
/// Creates the first admin key with direct storage access (no HTTP endpoint can, since nobody holds a key yet).
/// Used by the server's <c>bootstrap-admin</c> command (and so by <c>./run.sh</c>).
/// </summary>
public sealed class AdminBootstrapper(IKeyStore store, KeyManagementService keys, TimeProvider time)
{
    public const string DefaultOwner = "admin";

    // A chain longer than this is not followed (a rotation a day for years stays far below it).
    private const int MaxRotationHops = 1_000;

    /// <summary>Null when an active bootstrap admin key exists and <paramref name="force"/> is false.</summary>
    public async Task<CreatedKey?> BootstrapAsync(string name, string? owner, bool force, CancellationToken cancellationToken)
    {
        await store.EnsureCreatedAsync(cancellationToken);
        if (!force && await ExistingAdminAsync(cancellationToken) is not null) return null;

        var created = await keys.CreateAsync(
            new CreateKeyRequest { Name = name, Owner = owner ?? DefaultOwner, Scopes = [Caller.AdminScope] },
            Caller.System with { Owner = owner ?? DefaultOwner },
            cancellationToken);
        await store.SetBootstrapAdminIdAsync(created.Record.Id, cancellationToken);
        return created;
    }

    /// <summary>
    /// The active bootstrap admin key, if any: the marked key or, once it was rotated, its newest successor (the marker
    /// follows the rotation chain, so rotating the admin key does not let a second one be minted).
    /// </summary>
    public async Task<ApiKeyRecord?> ExistingAdminAsync(CancellationToken cancellationToken)
    {
        var id = await store.GetBootstrapAdminIdAsync(cancellationToken);
        ApiKeyRecord? newest = null;
        for (var hops = 0; id is not null && hops < MaxRotationHops; hops++)
        {
            var stored = await store.GetAsync(id, cancellationToken);
            if (stored is null || stored.Record.IsPending) break;
            newest = stored.Record;
            id = newest.RotatedToId;
        }
        // A suspended admin key still exists: it can be resumed, so it does not license a second one.
        return newest is not null && newest.StatusAt(time.GetUtcNow()) is KeyStatus.Active or KeyStatus.Suspended ? newest : null;
    }
}
