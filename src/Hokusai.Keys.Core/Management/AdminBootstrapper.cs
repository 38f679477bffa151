using Hokusai.Keys.Keys;
using Hokusai.Keys.Storage;

namespace Hokusai.Keys.Management;

/// <summary>
/// Creates the first admin key with direct storage access (no HTTP endpoint can, since nobody holds a key yet).
/// Used by the server's <c>bootstrap-admin</c> command, <c>./run.sh</c> and <c>hokusai admin bootstrap</c>.
/// </summary>
public sealed class AdminBootstrapper(IKeyStore store, KeyManagementService keys, TimeProvider time)
{
    public const string DefaultOwner = "admin";

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

    /// <summary>The active bootstrap admin key, if any.</summary>
    public async Task<ApiKeyRecord?> ExistingAdminAsync(CancellationToken cancellationToken)
    {
        var id = await store.GetBootstrapAdminIdAsync(cancellationToken);
        if (id is null) return null;
        var stored = await store.GetAsync(id, cancellationToken);
        return stored is not null && stored.Record.StatusAt(time.GetUtcNow()) == KeyStatus.Active ? stored.Record : null;
    }
}
