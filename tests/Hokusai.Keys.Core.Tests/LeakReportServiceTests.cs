using Hokusai.Keys.Domain;
using Hokusai.Keys.Management;
using Microsoft.Extensions.Time.Testing;

namespace Hokusai.Keys.Core.Tests;

/// <summary><see cref="KeyManagementService.ReportLeakAsync"/> over an in-memory store, and the leak policy as a limit.</summary>
public class LeakReportServiceTests
{
    private static readonly Caller Admin = new("AAAAAAAAAAAAAAAa", "ops", [Caller.AdminScope], null);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemoryKeyStore _store = new();
    private readonly KeyManagementService _keys;

    public LeakReportServiceTests() => _keys = new KeyManagementService(_store, new NoKeySnapshotCache(), new PlainSecretHasher(), _time);

    private static readonly LeakReport Report = new("github", null, "https://github.com/o/r/blob/a/.env", "content");

    private async Task<ApiKeyRecord> CreateAsync() =>
        (await _keys.CreateAsync(new CreateKeyRequest { Name = "leaky", Owner = "alice" }, Admin, CancellationToken.None)).Record;

    [Fact]
    public async Task A_leak_revokes_an_active_key_once()
    {
        var key = await CreateAsync();
        Assert.Equal(LeakOutcome.Revoked, await _keys.ReportLeakAsync(key.Id, Report, CancellationToken.None));
        Assert.Equal(LeakOutcome.NotActive, await _keys.ReportLeakAsync(key.Id, Report, CancellationToken.None));

        var stored = _store.Records.Single(r => r.Id == key.Id);
        Assert.Equal(_time.GetUtcNow(), stored.RevokedAt);
        Assert.Equal(_time.GetUtcNow(), stored.LeakedAt);
        var events = _store.Events.Where(e => e.KeyId == key.Id).ToList();
        var leaked = Assert.Single(events, e => e.Type == KeyEventTypes.Leaked);
        Assert.Equal("leaked", leaked.Data["reason"]);
        Assert.Equal("https://github.com/o/r/blob/a/.env", leaked.Data["url"]);
        Assert.Equal("content", leaked.Data["source"]);
        Assert.Equal("github", leaked.ActorOwner);
    }

    [Fact]
    public async Task Under_leak_policy_notify_a_leak_flags_the_key_once_and_a_rotation_does_not_carry_the_flag()
    {
        var key = await CreateAsync();
        await _keys.UpdateAsync(key.Id, new UpdateKeyRequest { LeakPolicy = "notify" }, Admin, CancellationToken.None);
        Assert.Equal(LeakOutcome.Flagged, await _keys.ReportLeakAsync(key.Id, Report, CancellationToken.None));
        Assert.Equal(LeakOutcome.AlreadyFlagged, await _keys.ReportLeakAsync(key.Id, Report, CancellationToken.None));

        var flagged = await _keys.GetAsync(key.Id, Admin, CancellationToken.None);
        Assert.Null(flagged.RevokedAt);
        Assert.NotNull(flagged.LeakedAt);
        var events = _store.Events.Where(e => e.KeyId == key.Id).ToList();
        Assert.Equal("flagged", Assert.Single(events, e => e.Type == KeyEventTypes.Leaked).Data["action"]);

        var rotated = await _keys.RotateAsync(key.Id, new RotateKeyRequest(), Admin, CancellationToken.None);
        Assert.Null(rotated.Record.LeakedAt);
        Assert.Equal(KeyLeakPolicy.Notify, rotated.Record.LeakPolicy);
    }

    [Fact]
    public void Leak_policy_notify_is_a_loosening()
    {
        var writer = new Caller("AAAAAAAAAAAAAAAw", "alice", [Caller.WriteScope], null);
        var key = new ApiKeyRecord
        {
            Id = "AAAAAAAAAAAAAAAk", Name = "k", Owner = "alice", Environment = KeyEnvironment.Live, CreatedAt = _time.GetUtcNow(),
            SecretHash = "h", HashScheme = "test", LimitsAuthority = [Caller.WriteScope],
        };
        var notify = key with { LeakPolicy = KeyLeakPolicy.Notify };
        // The writer holds the recorded authority, but its own key is revoke: it cannot give a looser policy.
        Assert.Throws<DomainException>(() => KeyAuthority.WithLimitsSetBy(writer, key, notify));
        Assert.Equal(KeyLeakPolicy.Notify, KeyAuthority.WithLimitsSetBy(writer with { LeakPolicy = KeyLeakPolicy.Notify }, key, notify).LeakPolicy);
        // Set by an admin: only an admin may loosen it; anyone may tighten.
        var byAdmin = notify with { LimitsAuthority = [Caller.AdminScope] };
        Assert.Throws<DomainException>(() => KeyAuthority.WithLimitsSetBy(writer with { LeakPolicy = KeyLeakPolicy.Notify }, key with { LimitsAuthority = [Caller.AdminScope] }, byAdmin));
        Assert.Equal(KeyLeakPolicy.Revoke, KeyAuthority.WithLimitsSetBy(writer, byAdmin, byAdmin with { LeakPolicy = KeyLeakPolicy.Revoke }).LeakPolicy);
        Assert.Equal(KeyLeakPolicy.Notify, KeyAuthority.WithLimitsSetBy(Admin, key, notify).LeakPolicy);
    }
}
