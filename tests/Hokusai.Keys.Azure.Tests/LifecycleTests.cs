using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Hokusai.Keys.Azure.Lifecycle;
using Hokusai.Keys.Azure.Tables;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Usage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Azure.Tests;

/// <summary>Lifecycle events: atomic with their change, relayed to Service Bus by the outbox, expiry and quota events once.</summary>
public sealed class LifecycleTests
{
    private static Action<IServiceCollection> WithSender(RecordingSender sender) => services =>
        services.Replace(ServiceDescriptor.Singleton(Fixtures.Publisher(sender)));

    private static async Task<List<TableEntity>> EventRowsAsync(HokusaiServerAccess server, string id)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {id} and RowKey gt {"evt_"} and RowKey lt {"evt`"}");
        var rows = new List<TableEntity>();
        await foreach (var row in server.Tables.Keys.QueryAsync<TableEntity>(filter)) rows.Add(row);
        return rows;
    }

    [Theory]
    [InlineData(BatchFaultPolicy.Mode.FailBeforeSend, false)]
    [InlineData(BatchFaultPolicy.Mode.FailAfterSend, true)]
    public async Task A_revoke_and_its_audit_event_are_both_present_or_both_absent_when_the_write_fails(BatchFaultPolicy.Mode mode, bool written)
    {
        var fault = new BatchFaultPolicy();
        var (_, server, admin) = await Fixtures.StartAsync(services: services =>
            services.Replace(ServiceDescriptor.Singleton(sp => new StorageTables(sp.GetRequiredService<IOptions<StorageOptions>>(), [fault]))));
        using var _ = server;
        var (id, _) = await admin.CreateKeyAsync(new { name = "atomic" });

        fault.Armed = mode;
        var (status, _) = await admin.SendAsync(HttpMethod.Post, $"/api/keys/{id}/revoke");
        fault.Armed = BatchFaultPolicy.Mode.Off;
        Assert.Equal(503, status);

        var (_, key) = await admin.SendAsync(HttpMethod.Get, $"/api/keys/{id}");
        var revoked = key!["revokedAt"] is not null;
        var events = await admin.EventTypesAsync(id);
        Assert.Equal(written, revoked);
        Assert.Equal(written, events.Contains(KeyEventTypes.Revoked));
        Assert.Equal(revoked, events.Contains(KeyEventTypes.Revoked));
    }

    [Fact]
    public async Task The_dispatcher_sends_cloud_events_with_the_event_id_as_message_id_and_marks_rows_dispatched()
    {
        var sender = new RecordingSender();
        var (_, server, admin) = await Fixtures.StartAsync(services: WithSender(sender));
        using var _ = server;
        var access = new HokusaiServerAccess(server);
        var (id, _) = await admin.CreateKeyAsync(new { name = "events" });
        Assert.Equal(200, (await admin.SendAsync(HttpMethod.Patch, $"/api/keys/{id}", new { name = "renamed" })).Status);
        Assert.Equal(200, (await admin.SendAsync(HttpMethod.Post, $"/api/keys/{id}/revoke")).Status);

        Assert.True(await Http.EventuallyAsync(async () =>
            (await EventRowsAsync(access, id)).All(r => r.GetBoolean("Dispatched") == true), TimeSpan.FromSeconds(5)), "rows not marked dispatched");
        var rows = await EventRowsAsync(access, id);
        Assert.Equal(3, rows.Count);
        var sent = sender.Sent.Where(m => m.Subject is not null && JsonNode.Parse(m.Body.ToString())!["subject"]!.GetValue<string>() == id).ToList();
        Assert.Equal(rows.Select(r => r.GetString("EventId")).Order(), sent.Select(m => m.MessageId).Order());
        foreach (var message in sent)
        {
            var ce = JsonNode.Parse(message.Body.ToString())!;
            Assert.Equal("1.0", ce["specversion"]!.GetValue<string>());
            Assert.Equal(message.MessageId, ce["id"]!.GetValue<string>());
            Assert.Equal(ServiceBusKeyEventPublisher.Source, ce["source"]!.GetValue<string>());
            Assert.StartsWith("key.", ce["type"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal("application/json", ce["datacontenttype"]!.GetValue<string>());
            Assert.NotNull(ce["time"]);
            Assert.Equal(id, ce["data"]!["keyId"]!.GetValue<string>());
            Assert.Equal(ServiceBusKeyEventPublisher.ContentType, message.ContentType);
        }
        Assert.Equal(new[] { KeyEventTypes.Created, KeyEventTypes.Revoked, KeyEventTypes.Updated }, sent.Select(m => m.Subject).Order());
        // No pointer is left in the outbox.
        var pointers = await access.Tables.Outbox.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {EventOutbox.Partition}")).ToListAsync();
        Assert.DoesNotContain(pointers, p => p.GetString("KeyId") == id);
    }

    [Fact]
    public async Task Events_that_could_not_be_sent_are_sent_by_the_sweeper()
    {
        var sender = new RecordingSender { Fail = true };
        var (_, server, admin) = await Fixtures.StartAsync(g => g.With("Hokusai:Lifecycle:OutboxGraceSeconds", "0"), WithSender(sender));
        using var _ = server;
        var access = new HokusaiServerAccess(server);
        var (id, _) = await admin.CreateKeyAsync(new { name = "later" });
        Assert.Equal(200, (await admin.SendAsync(HttpMethod.Post, $"/api/keys/{id}/revoke")).Status);
        await sender.WaitForAttemptsAsync(2); // created and revoked were tried and failed
        var undelivered = await EventRowsAsync(access, id);
        Assert.Equal(2, undelivered.Count);
        Assert.All(undelivered, r => Assert.False(r.GetBoolean("Dispatched")));

        sender.Fail = false;
        var sweeps = server.Services.GetRequiredService<LifecycleSweeps>();
        Assert.True(await sweeps.SweepOutboxAsync(CancellationToken.None) >= 2);
        var delivered = await EventRowsAsync(access, id);
        Assert.Equal(2, delivered.Count);
        Assert.All(delivered, r => Assert.True(r.GetBoolean("Dispatched")));
        Assert.Equal(0, await sweeps.SweepOutboxAsync(CancellationToken.None));
        Assert.Equal(2, sender.Sent.Count(m => m.ApplicationProperties["cloudEvents:subject"] as string == id));
    }

    [Fact]
    public async Task Without_service_bus_events_stay_in_the_audit_table_and_no_pointer_is_written()
    {
        var (_, server, admin) = await Fixtures.StartAsync();
        using var _ = server;
        var access = new HokusaiServerAccess(server);
        var (id, _) = await admin.CreateKeyAsync(new { name = "local" });
        Assert.False(server.Services.GetRequiredService<IKeyEventPublisher>().IsEnabled);
        var rows = await EventRowsAsync(access, id);
        Assert.Single(rows); // created
        Assert.All(rows, r => Assert.False(r.GetBoolean("Dispatched")));
        var pointers = await access.Tables.Outbox.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {EventOutbox.Partition}")).ToListAsync();
        Assert.Empty(pointers);
    }

    [Fact]
    public async Task The_expiry_sweeper_emits_expiring_and_expired_once()
    {
        var sender = new RecordingSender();
        var (_, server, admin) = await Fixtures.StartAsync(services: WithSender(sender));
        using var _ = server;
        var (inFiveDays, _) = await admin.CreateKeyAsync(new { name = "5d", expiresInSeconds = 5 * 86400 });
        var (inTwelveHours, _) = await admin.CreateKeyAsync(new { name = "12h", expiresInSeconds = 12 * 3600 });
        var (inTwoSeconds, _) = await admin.CreateKeyAsync(new { name = "2s", expiresInSeconds = 2 });
        var (inTenDays, _) = await admin.CreateKeyAsync(new { name = "10d", expiresInSeconds = 10 * 86400 });
        var sweeps = server.Services.GetRequiredService<LifecycleSweeps>();

        Assert.Equal(3, await sweeps.SweepExpiryAsync(CancellationToken.None)); // 7-day, 1-day, 1-day (the 2 s key)
        Assert.Equal(0, await sweeps.SweepExpiryAsync(CancellationToken.None));
        await Task.Delay(2500);
        Assert.Equal(1, await sweeps.SweepExpiryAsync(CancellationToken.None)); // the 2 s key expired
        Assert.Equal(0, await sweeps.SweepExpiryAsync(CancellationToken.None));

        Assert.Equal(1, (await admin.EventTypesAsync(inFiveDays)).Count(t => t == KeyEventTypes.Expiring));
        Assert.Equal(1, (await admin.EventTypesAsync(inTwelveHours)).Count(t => t == KeyEventTypes.Expiring));
        var shortLived = await admin.EventTypesAsync(inTwoSeconds);
        Assert.Equal(KeyEventTypes.Expired, shortLived[0]); // newest first
        Assert.Equal(1, shortLived.Count(t => t == KeyEventTypes.Expired));
        Assert.DoesNotContain(KeyEventTypes.Expiring, await admin.EventTypesAsync(inTenDays));

        var (_, page) = await admin.SendAsync(HttpMethod.Get, $"/api/keys/{inFiveDays}/events");
        var expiring = page!["items"]!.AsArray().First(e => e!["type"]!.GetValue<string>() == KeyEventTypes.Expiring)!;
        Assert.Equal("7", expiring["data"]!["daysBefore"]!.GetValue<string>());
        Assert.True(await Http.EventuallyAsync(() => Task.FromResult(sender.Sent.Count(m => m.Subject == KeyEventTypes.Expired) == 1), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_quota_threshold_is_recorded_once_per_key_period_and_percent()
    {
        var (_, server, admin) = await Fixtures.StartAsync();
        using var _ = server;
        var (id, _) = await admin.CreateKeyAsync(new { name = "quota" });
        var sink = server.Services.GetRequiredService<IQuotaThresholdSink>();
        var period = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

        await sink.QuotaThresholdCrossedAsync(new QuotaThreshold(id, "admin", period, "month", 80, 800, 1000), CancellationToken.None);
        await sink.QuotaThresholdCrossedAsync(new QuotaThreshold(id, "admin", period, "month", 80, 801, 1000), CancellationToken.None);
        await sink.QuotaThresholdCrossedAsync(new QuotaThreshold(id, "admin", period, "month", 100, 1000, 1000), CancellationToken.None);
        await sink.QuotaThresholdCrossedAsync(new QuotaThreshold(id, "admin", period.AddMonths(1), "month", 80, 800, 1000), CancellationToken.None);

        var (_, page) = await admin.SendAsync(HttpMethod.Get, $"/api/keys/{id}/events");
        var thresholds = page!["items"]!.AsArray().Where(e => e!["type"]!.GetValue<string>() == KeyEventTypes.QuotaThreshold).ToList();
        Assert.Equal(3, thresholds.Count);
        Assert.Equal(["100", "80", "80"], thresholds.Select(t => t!["data"]!["percent"]!.GetValue<string>()).Order().ToArray());
    }

    [ServiceBusFact]
    public async Task Live_service_bus_receives_the_cloud_event()
    {
        var connection = Environment.GetEnvironmentVariable(ServiceBusFactAttribute.Variable)!;
        var topic = Environment.GetEnvironmentVariable("HOKUSAI_TEST_SERVICEBUS_TOPIC") ?? "key-events";
        var (_, server, admin) = await Fixtures.StartAsync(g => g.With("Hokusai:ServiceBus:ConnectionString", connection).With("Hokusai:ServiceBus:TopicName", topic));
        using var _ = server;
        await using var client = new global::Azure.Messaging.ServiceBus.ServiceBusClient(connection);
        await using var receiver = client.CreateReceiver(topic, "tests");
        var (id, _) = await admin.CreateKeyAsync(new { name = "live" });
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var message = await receiver.ReceiveMessageAsync(TimeSpan.FromSeconds(5));
            if (message is null) continue;
            await receiver.CompleteMessageAsync(message);
            if (JsonNode.Parse(message.Body.ToString())!["subject"]?.GetValue<string>() == id)
            {
                Assert.Equal(KeyEventTypes.Created, message.Subject);
                return;
            }
        }
        Assert.Fail("the key.created event did not arrive within 30 s");
    }
}

internal sealed class HokusaiServerAccess(Hokusai.Keys.Testing.HokusaiServer server)
{
    public StorageTables Tables { get; } = server.Services.GetRequiredService<StorageTables>();
}

internal static class AsyncEnumerableExtensions
{
    public static async Task<List<T>> ToListAsync<T>(this IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source) list.Add(item);
        return list;
    }
}
