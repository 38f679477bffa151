using Hokusai.Keys.Domain;
using Hokusai.Keys.Management;
using Microsoft.Extensions.Time.Testing;

namespace Hokusai.Keys.Core.Tests;

/// <summary>The rotation state machine of <see cref="KeyManagementService"/> over an in-memory store with ETags.</summary>
public class RotationTests
{
    private static readonly Caller Admin = new("AAAAAAAAAAAAAAAa", "ops", [Caller.AdminScope], null);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemoryKeyStore _store = new();
    private readonly KeyManagementService _keys;

    public RotationTests() => _keys = new KeyManagementService(_store, new NoKeySnapshotCache(), new PlainSecretHasher(), _time);

    private async Task<ApiKeyRecord> CreateAsync(long? expiresInSeconds = null) =>
        (await _keys.CreateAsync(new CreateKeyRequest { Name = "rotating", Owner = "alice", Scopes = ["models:read"], ExpiresInSeconds = expiresInSeconds }, Admin, CancellationToken.None)).Record;

    /// <summary>
    /// With an expiry before the grace period ends, linking leaves the predecessor's expiry as it was: then only the
    /// link itself stops a second rotation (the other case also changes what the losers compare).
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData(60L)]
    public async Task Concurrent_rotations_yield_exactly_one_successor(long? expiresInSeconds)
    {
        var key = await CreateAsync(expiresInSeconds);
        var attempts = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            try { return (Rotated: await _keys.RotateAsync(key.Id, new RotateKeyRequest(), Admin, CancellationToken.None), Code: (string?)null); }
            catch (DomainException ex) { return (Rotated: (RotatedKey?)null, Code: ex.Code); }
        })));

        var winner = Assert.Single(attempts, a => a.Rotated is not null).Rotated!;
        Assert.All(attempts.Where(a => a.Rotated is null), a => Assert.Contains(a.Code, new[] { "KEY_ALREADY_ROTATED", ErrorCodes.ConcurrentUpdate }));
        Assert.Equal(15, attempts.Count(a => a.Rotated is null));

        var records = _store.Records;
        Assert.Equal(2, records.Count); // every losing successor was removed
        Assert.DoesNotContain(records, r => r.IsPending);
        Assert.Equal(winner.Record.Id, records.Single(r => r.Id == key.Id).RotatedToId);
        Assert.Equal(key.Id, winner.Record.QuotaId); // the successor draws on the predecessor's counters
    }

    [Fact]
    public async Task A_pending_successor_blocks_rotation_until_it_is_abandoned_then_it_is_retired()
    {
        var key = await CreateAsync();
        var stranded = key with { Id = ApiKeyFormat.Generate(KeyEnvironment.Live).KeyId, IsPending = true, RotatedFromId = key.Id, CreatedAt = _time.GetUtcNow() };
        await _store.CreateAsync(stranded, KeyEvent.Create(KeyEventTypes.Created, stranded.Id, Admin, _time.GetUtcNow()), CancellationToken.None);
        var linked = (await _store.GetAsync(key.Id, CancellationToken.None))!;
        await _store.ReplaceAsync(linked.Record with { RotatedToId = stranded.Id }, linked.ETag, null, CancellationToken.None);

        _time.Advance(KeyManagementService.AbandonedRotationAge - TimeSpan.FromSeconds(1));
        var early = await Assert.ThrowsAsync<DomainException>(() => _keys.RotateAsync(key.Id, new RotateKeyRequest(), Admin, CancellationToken.None));
        Assert.Equal("KEY_ALREADY_ROTATED", early.Code);
        Assert.NotNull(await _store.GetAsync(stranded.Id, CancellationToken.None));

        _time.Advance(TimeSpan.FromSeconds(1));
        var rotated = await _keys.RotateAsync(key.Id, new RotateKeyRequest(), Admin, CancellationToken.None);
        Assert.Null(await _store.GetAsync(stranded.Id, CancellationToken.None));
        Assert.Equal(rotated.Record.Id, (await _store.GetAsync(key.Id, CancellationToken.None))!.Record.RotatedToId);
        Assert.False(rotated.Record.IsPending);
    }

    [Fact]
    public async Task An_active_successor_is_never_replaced()
    {
        var key = await CreateAsync();
        await _keys.RotateAsync(key.Id, new RotateKeyRequest { GracePeriodSeconds = 3600 }, Admin, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(30));
        var again = await Assert.ThrowsAsync<DomainException>(() => _keys.RotateAsync(key.Id, new RotateKeyRequest(), Admin, CancellationToken.None));
        Assert.Equal("KEY_ALREADY_ROTATED", again.Code);
        Assert.Equal(0, _store.Deletes);
    }

    [Fact]
    public async Task The_grace_period_bounds_the_predecessor_and_no_grace_revokes_it()
    {
        var key = await CreateAsync();
        var rotated = await _keys.RotateAsync(key.Id, new RotateKeyRequest { GracePeriodSeconds = 600 }, Admin, CancellationToken.None);
        Assert.Equal(_time.GetUtcNow().AddSeconds(600), rotated.Previous.ExpiresAt);
        Assert.Null(rotated.Previous.RevokedAt);

        var next = await _keys.RotateAsync(rotated.Record.Id, new RotateKeyRequest { GracePeriodSeconds = 0 }, Admin, CancellationToken.None);
        Assert.Equal(_time.GetUtcNow(), next.Previous.RevokedAt);
        Assert.Equal(key.Id, next.Record.QuotaId); // still the first key of the chain
    }
}
