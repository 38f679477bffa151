using Hokusai.Keys.Domain;
using Hokusai.Keys.Management;
using Hokusai.Keys.Validation;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Hokusai.Keys.Core.Tests;

/// <summary>The age policy (<see cref="KeyAgePolicy"/>) and suspension in <see cref="KeyManagementService"/>, over an in-memory store.</summary>
public class KeyHygieneTests
{
    private static readonly Caller Admin = new("AAAAAAAAAAAAAAAa", "ops", [Caller.AdminScope], null);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemoryKeyStore _store = new();

    private KeyManagementService Keys(KeyAgeOptions? options = null) =>
        new(_store, new NoKeySnapshotCache(), new PlainSecretHasher(), _time, options is null ? null : new KeyAgePolicy(Options.Create(options)));

    private static CreateKeyRequest Request(string[] scopes, long? expiresInSeconds = null, DateTimeOffset? expiresAt = null) =>
        new() { Name = "hygiene", Owner = "alice", Scopes = [.. scopes], ExpiresInSeconds = expiresInSeconds, ExpiresAt = expiresAt };

    private static async Task<string> RefusalAsync(Func<Task> act) => (await Assert.ThrowsAsync<DomainException>(act)).Code;

    [Fact]
    public async Task By_default_an_admin_key_without_expiry_gets_one_90_days_after_creation_and_other_keys_none()
    {
        var keys = Keys();
        var admin = (await keys.CreateAsync(Request([Caller.AdminScope]), Admin, CancellationToken.None)).Record;
        var ordinary = (await keys.CreateAsync(Request(["models:read"]), Admin, CancellationToken.None)).Record;
        var manager = (await keys.CreateAsync(Request([Caller.WriteScope]), Admin, CancellationToken.None)).Record;

        Assert.Equal(_time.GetUtcNow().AddDays(90), admin.ExpiresAt);
        Assert.Null(ordinary.ExpiresAt);
        Assert.Null(manager.ExpiresAt);
    }

    [Fact]
    public async Task An_explicit_expiry_past_the_max_age_is_refused_not_capped_and_one_within_is_kept()
    {
        var keys = Keys();
        Assert.Equal(ErrorCodes.ValidationFailed, await RefusalAsync(() => keys.CreateAsync(Request([Caller.AdminScope], expiresInSeconds: 91 * 86400), Admin, CancellationToken.None)));
        Assert.Equal(ErrorCodes.ValidationFailed, await RefusalAsync(() => keys.CreateAsync(Request([Caller.AdminScope], expiresAt: _time.GetUtcNow().AddDays(365)), Admin, CancellationToken.None)));
        Assert.Empty(_store.Records);

        var within = (await keys.CreateAsync(Request([Caller.AdminScope], expiresInSeconds: 30 * 86400), Admin, CancellationToken.None)).Record;
        Assert.Equal(_time.GetUtcNow().AddDays(30), within.ExpiresAt);
    }

    [Fact]
    public async Task Each_scope_class_has_its_own_maximum_age_and_zero_is_unlimited()
    {
        var keys = Keys(new KeyAgeOptions { Admin = 0, KeyManagement = 30, Other = 365 });
        Assert.Null((await keys.CreateAsync(Request([Caller.AdminScope]), Admin, CancellationToken.None)).Record.ExpiresAt);
        Assert.Equal(_time.GetUtcNow().AddDays(30), (await keys.CreateAsync(Request([Caller.ReadScope, "models:read"]), Admin, CancellationToken.None)).Record.ExpiresAt);
        Assert.Equal(_time.GetUtcNow().AddDays(365), (await keys.CreateAsync(Request(["models:read"]), Admin, CancellationToken.None)).Record.ExpiresAt);
    }

    [Fact]
    public async Task Rotation_renews_the_expiry_the_policy_gave_and_refuses_one_past_the_max_age()
    {
        var keys = Keys();
        var admin = (await keys.CreateAsync(Request([Caller.AdminScope]), Admin, CancellationToken.None)).Record;
        _time.Advance(TimeSpan.FromDays(80));

        Assert.Equal(ErrorCodes.ValidationFailed, await RefusalAsync(() => keys.RotateAsync(admin.Id, new RotateKeyRequest { ExpiresInSeconds = 100 * 86400 }, Admin, CancellationToken.None)));
        var rotated = await keys.RotateAsync(admin.Id, new RotateKeyRequest(), Admin, CancellationToken.None);
        Assert.Equal(_time.GetUtcNow().AddDays(90), rotated.Record.ExpiresAt);

        // An expiry someone chose is inherited, not lengthened.
        var chosen = (await keys.CreateAsync(Request([Caller.AdminScope], expiresInSeconds: 20 * 86400), Admin, CancellationToken.None)).Record;
        var successor = await keys.RotateAsync(chosen.Id, new RotateKeyRequest { GracePeriodSeconds = 0 }, Admin, CancellationToken.None);
        Assert.Equal(chosen.ExpiresAt, successor.Record.ExpiresAt);
    }

    [Fact]
    public async Task An_update_cannot_lift_an_admin_keys_expiry_past_its_max_age_nor_make_a_non_expiring_key_admin()
    {
        var keys = Keys();
        var admin = (await keys.CreateAsync(Request([Caller.AdminScope]), Admin, CancellationToken.None)).Record;
        Assert.Equal(ErrorCodes.ValidationFailed, await RefusalAsync(() => keys.UpdateAsync(admin.Id, new UpdateKeyRequest { ExpiresAt = null }, Admin, CancellationToken.None)));
        Assert.Equal(ErrorCodes.ValidationFailed, await RefusalAsync(() => keys.UpdateAsync(admin.Id, new UpdateKeyRequest { ExpiresAt = _time.GetUtcNow().AddDays(200) }, Admin, CancellationToken.None)));

        var ordinary = (await keys.CreateAsync(Request(["models:read"]), Admin, CancellationToken.None)).Record;
        Assert.Equal(ErrorCodes.ValidationFailed, await RefusalAsync(() => keys.UpdateAsync(ordinary.Id, new UpdateKeyRequest { Scopes = [Caller.AdminScope] }, Admin, CancellationToken.None)));
        var renamed = await keys.UpdateAsync(ordinary.Id, new UpdateKeyRequest { Scopes = ["models:write"] }, Admin, CancellationToken.None);
        Assert.Null(renamed.ExpiresAt); // within its class, nothing changes
    }

    [Fact]
    public void The_rotation_due_date_is_the_max_age_date_of_keys_that_still_need_rotating()
    {
        var policy = KeyAgePolicy.Default;
        var now = _time.GetUtcNow();
        var admin = new ApiKeyRecord { Id = "k", Name = "n", Owner = "o", Environment = KeyEnvironment.Live, Scopes = [Caller.AdminScope], CreatedAt = now.AddDays(-80), SecretHash = "h", HashScheme = "s" };
        Assert.Equal(now.AddDays(10), policy.RotationDueAt(admin, now));
        Assert.Equal(now.AddDays(10), policy.RotationDueAt(admin with { SuspendedAt = now }, now));
        Assert.Null(policy.RotationDueAt(admin with { RotatedToId = "successor" }, now));
        Assert.Null(policy.RotationDueAt(admin with { RevokedAt = now }, now));
        Assert.Null(policy.RotationDueAt(admin with { Scopes = ["models:read"] }, now));
    }

    [Fact]
    public async Task Suspend_is_idempotent_resume_undoes_it_and_each_change_is_one_audit_event()
    {
        var keys = Keys();
        var key = (await keys.CreateAsync(Request(["models:read"]), Admin, CancellationToken.None)).Record;

        var suspended = await keys.SuspendAsync(key.Id, Admin, CancellationToken.None);
        Assert.Equal(KeyStatus.Suspended, suspended.StatusAt(_time.GetUtcNow()));
        Assert.Equal(suspended, await keys.SuspendAsync(key.Id, Admin, CancellationToken.None));
        Assert.Equal(ErrorCodes.KeySuspended, await RefusalAsync(() => keys.RotateAsync(key.Id, new RotateKeyRequest(), Admin, CancellationToken.None)));

        var resumed = await keys.ResumeAsync(key.Id, Admin, CancellationToken.None);
        Assert.Equal(KeyStatus.Active, resumed.StatusAt(_time.GetUtcNow()));
        Assert.Null(resumed.SuspendedAt);
        Assert.Equal(resumed, await keys.ResumeAsync(key.Id, Admin, CancellationToken.None));

        var types = _store.Events.Where(e => e.KeyId == key.Id).Select(e => e.Type).ToList();
        Assert.Equal(1, types.Count(t => t == KeyEventTypes.Suspended));
        Assert.Equal(1, types.Count(t => t == KeyEventTypes.Resumed));
    }

    [Fact]
    public async Task Revocation_stays_final_a_revoked_key_can_be_neither_suspended_nor_resumed()
    {
        var keys = Keys();
        var key = (await keys.CreateAsync(Request(["models:read"]), Admin, CancellationToken.None)).Record;
        await keys.SuspendAsync(key.Id, Admin, CancellationToken.None);
        await keys.RevokeAsync(key.Id, Admin, CancellationToken.None);

        Assert.Equal(ErrorCodes.KeyRevoked, await RefusalAsync(() => keys.ResumeAsync(key.Id, Admin, CancellationToken.None)));
        Assert.Equal(ErrorCodes.KeyRevoked, await RefusalAsync(() => keys.SuspendAsync(key.Id, Admin, CancellationToken.None)));
        Assert.Equal(KeyStatus.Revoked, (await _store.GetAsync(key.Id, CancellationToken.None))!.Record.StatusAt(_time.GetUtcNow()));
    }

    [Fact]
    public async Task A_suspended_key_validates_as_SUSPENDED_and_after_resume_as_VALID()
    {
        await using var h = new ValidatorHarness();
        var suspended = await h.AddKeyAsync(r => r with { SuspendedAt = h.Time.GetUtcNow() });
        var suspendedAndRevoked = await h.AddKeyAsync(r => r with { SuspendedAt = h.Time.GetUtcNow(), RevokedAt = h.Time.GetUtcNow() });
        Assert.Equal(ValidationCode.Suspended, await h.CodeAsync(suspended));
        Assert.Equal(ErrorCodes.Suspended, ValidationCode.Suspended.ToWire());
        Assert.True(ValidationCode.Suspended.IsAuthenticationFailure()); // 401 on authorize
        Assert.Equal(ValidationCode.Revoked, await h.CodeAsync(suspendedAndRevoked));
    }
}
