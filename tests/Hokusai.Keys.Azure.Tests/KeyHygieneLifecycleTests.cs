using System.Text.Json.Nodes;
using Hokusai.Keys.Azure.Lifecycle;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Management;
using Hokusai.Keys.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Hokusai.Keys.Azure.Tests;

/// <summary>Key hygiene's lifecycle events on real Azurite: rotation reminders once each, suspend/resume on Service Bus.</summary>
public sealed class KeyHygieneLifecycleTests
{
    [Fact]
    public async Task Rotation_reminders_are_recorded_once_at_14_days_and_once_at_3_days_before_the_max_age()
    {
        var (_, server, admin) = await Fixtures.StartAsync();
        using var _ = server;
        var store = server.Services.GetRequiredService<IKeyStore>();
        var (adminKeyId, _) = await admin.CreateKeyAsync(new { name = "admin by policy", scopes = new[] { "admin" } });
        var (ordinaryId, _) = await admin.CreateKeyAsync(new { name = "ordinary" });
        var created = (await store.GetAsync(adminKeyId, CancellationToken.None))!.Record.CreatedAt;

        // A key from before the policy: admin, no expiry, created 12 days before the other: first seen 2 days before its
        // max-age date, so it gets the 3-day reminder only.
        var legacy = (await store.GetAsync(ordinaryId, CancellationToken.None))!.Record with
        {
            Id = ApiKeyFormat.Generate(KeyEnvironment.Live).KeyId, Name = "legacy admin", Scopes = [Caller.AdminScope], CreatedAt = created.AddDays(-12), ExpiresAt = null,
        };
        await store.CreateAsync(legacy, KeyEvent.Create(KeyEventTypes.Created, legacy.Id, Caller.System, legacy.CreatedAt), CancellationToken.None);

        var clock = new FakeTimeProvider(created.AddDays(76));
        var sweeper = new RotationDueSweeper(new HokusaiServerAccess(server).Tables, store, server.Services.GetRequiredService<KeyEventLog>(),
            KeyAgePolicy.Default, clock, NullLogger<RotationDueSweeper>.Instance);

        // The fixture's bootstrap admin key, created moments before, is reminded alongside the admin key.
        Assert.Equal(3, await sweeper.SweepAsync(CancellationToken.None)); // the admin keys' 14-day, the legacy key's 3-day
        Assert.Equal(0, await sweeper.SweepAsync(CancellationToken.None));
        clock.SetUtcNow(created.AddDays(87.5));
        Assert.Equal(2, await sweeper.SweepAsync(CancellationToken.None)); // the admin keys' 3-day
        Assert.Equal(0, await sweeper.SweepAsync(CancellationToken.None));

        var reminders = await RemindersAsync(admin, adminKeyId);
        Assert.Equal(["14", "3"], reminders.Select(r => r!["data"]!["daysBefore"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToArray());
        Assert.All(reminders, r => Assert.Equal(created.AddDays(90), r!["data"]!["rotationDueAt"]!.GetValue<DateTimeOffset>()));
        Assert.Equal(["3"], (await RemindersAsync(admin, legacy.Id)).Select(r => r!["data"]!["daysBefore"]!.GetValue<string>()).ToArray());
        Assert.Empty(await RemindersAsync(admin, ordinaryId));
    }

    [Fact]
    public async Task A_rotated_or_revoked_key_gets_no_reminder()
    {
        var (_, server, admin) = await Fixtures.StartAsync();
        using var _ = server;
        var store = server.Services.GetRequiredService<IKeyStore>();
        var (revokedId, _) = await admin.CreateKeyAsync(new { name = "revoked admin", scopes = new[] { "admin" } });
        var (rotatedId, _) = await admin.CreateKeyAsync(new { name = "rotated admin", scopes = new[] { "admin" } });
        Assert.Equal(200, (await admin.SendAsync(HttpMethod.Post, $"/api/keys/{revokedId}/revoke")).Status);
        Assert.Equal(201, (await admin.SendAsync(HttpMethod.Post, $"/api/keys/{rotatedId}/rotate", new { gracePeriodSeconds = 3600 })).Status);
        var created = (await store.GetAsync(rotatedId, CancellationToken.None))!.Record.CreatedAt;

        var sweeper = new RotationDueSweeper(new HokusaiServerAccess(server).Tables, store, server.Services.GetRequiredService<KeyEventLog>(),
            KeyAgePolicy.Default, new FakeTimeProvider(created.AddDays(80)), NullLogger<RotationDueSweeper>.Instance);
        Assert.True(await sweeper.SweepAsync(CancellationToken.None) > 0); // the bootstrap admin key and the successor are reminded
        Assert.Empty(await RemindersAsync(admin, revokedId));
        Assert.Empty(await RemindersAsync(admin, rotatedId));
    }

    [Fact]
    public async Task Suspend_and_resume_are_audit_events_sent_to_service_bus_through_the_outbox()
    {
        var sender = new RecordingSender();
        var (_, server, admin) = await Fixtures.StartAsync(services: services => services.Replace(ServiceDescriptor.Singleton(Fixtures.Publisher(sender))));
        using var _ = server;
        var (id, _) = await admin.CreateKeyAsync(new { name = "suspended on the bus" });
        Assert.Equal(200, (await admin.SendAsync(HttpMethod.Post, $"/api/keys/{id}/suspend")).Status);
        Assert.Equal(200, (await admin.SendAsync(HttpMethod.Post, $"/api/keys/{id}/resume")).Status);

        bool Sent(string type) => sender.Sent.Any(m => m.Subject == type && JsonNode.Parse(m.Body.ToString())!["subject"]!.GetValue<string>() == id);
        Assert.True(await Http.EventuallyAsync(() => Task.FromResult(Sent(KeyEventTypes.Suspended) && Sent(KeyEventTypes.Resumed)), TimeSpan.FromSeconds(5)),
            "key.suspended and key.resumed were not both sent");
        var types = await admin.EventTypesAsync(id);
        Assert.Equal([KeyEventTypes.Resumed, KeyEventTypes.Suspended, KeyEventTypes.Created], types); // newest first
    }

    private static async Task<List<JsonNode?>> RemindersAsync(HttpClient admin, string id)
    {
        var (status, page) = await admin.SendAsync(HttpMethod.Get, $"/api/keys/{id}/events?limit=100");
        Assert.Equal(200, status);
        return page!["items"]!.AsArray().Where(e => e!["type"]!.GetValue<string>() == KeyEventTypes.RotationDue).ToList();
    }
}
