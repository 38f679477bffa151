using Hokusai.Keys.Domain;
using Hokusai.Keys.Management;
using Microsoft.Extensions.Time.Testing;

namespace Hokusai.Keys.Core.Tests;

/// <summary>
/// A suspension an admin made must not be undone by a weaker key of the key's owner.
/// (Failed before the suspension recorded its authority: resume checked only what revoke checks.)
/// </summary>
public class SuspensionAuthorityTests
{
    private static readonly Caller Admin = new("AAAAAAAAAAAAAAAa", "ops", [Caller.AdminScope], null);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemoryKeyStore _store = new();

    [Fact]
    public async Task A_key_an_admin_suspended_cannot_be_resumed_by_a_keys_write_key_of_its_owner()
    {
        var keys = new KeyManagementService(_store, new NoKeySnapshotCache(), new PlainSecretHasher(), _time);
        var key = (await keys.CreateAsync(new CreateKeyRequest { Name = "abused", Owner = "alice", Scopes = ["models:read"] }, Admin, CancellationToken.None)).Record;
        var manager = (await keys.CreateAsync(new CreateKeyRequest { Name = "alice-ops", Owner = "alice", Scopes = [Caller.WriteScope, "models:read"] }, Admin, CancellationToken.None)).Record;
        var alice = new Caller(manager.Id, "alice", [Caller.WriteScope, "models:read"], null) { Environment = manager.Environment };

        await keys.SuspendAsync(key.Id, Admin, CancellationToken.None);

        var refusal = await Record.ExceptionAsync(() => keys.ResumeAsync(key.Id, alice, CancellationToken.None));
        Assert.True(refusal is DomainException { Kind: DomainErrorKind.Forbidden },
            $"a keys:write key of the owner resumed a key an admin suspended (status now {(await _store.GetAsync(key.Id, CancellationToken.None))!.Record.StatusAt(_time.GetUtcNow())})");
    }
}
