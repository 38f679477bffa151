using System.Diagnostics;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Hokusai.Keys.Azure.Tables;
using Hokusai.Keys.Azure.Usage;
using Hokusai.Keys.Testing;
using Hokusai.Keys.Usage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Azure.Tests;

/// <summary>The usage pipeline end to end on real Azurite: recorder → queue → consumer → hourly aggregates → usage route.</summary>
public sealed class UsagePipelineTests
{
    private static async Task<JsonNode> UsageAsync(HttpClient admin, string id, string query = "")
    {
        var (status, json) = await admin.SendAsync(HttpMethod.Get, $"/api/keys/{id}/usage{query}");
        Assert.True(status == 200, $"usage returned {status}: {json?["code"]} {json?["errors"]?.ToJsonString()}");
        return json!;
    }

    private static (long Total, long Allowed, long Denied, long Cost) Sum(JsonNode usage)
    {
        long total = 0, allowed = 0, denied = 0, cost = 0;
        foreach (var b in usage["buckets"]!.AsArray())
        {
            total += b!["total"]!.GetValue<long>();
            allowed += b["allowed"]!.GetValue<long>();
            cost += b["cost"]!.GetValue<long>();
            denied += b["denied"]!.AsObject().Sum(d => d.Value!.GetValue<long>());
        }
        return (total, allowed, denied, cost);
    }

    [Fact]
    public async Task Ten_thousand_verifications_over_20_keys_are_counted_exactly_within_10_seconds()
    {
        var (_, server, admin) = await Fixtures.StartAsync();
        using var _ = server;
        var keys = new List<(string Id, string Key)>();
        for (var i = 0; i < 20; i++) keys.Add(await admin.CreateKeyAsync(new { name = $"usage {i}", scopes = new[] { "models:read" } }));

        // 500 per key: 400 VALID and 100 INSUFFICIENT_SCOPE, all sent concurrently.
        var work = Enumerable.Range(0, 10_000).Select(i => (Key: keys[i % 20], Deny: i / 20 % 5 == 0)).ToList();
        var client = server.Client();
        var wrong = 0;
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = 48 }, async (w, _) =>
        {
            var code = await client.VerifyCodeAsync(w.Key.Key, w.Deny ? ["models:write"] : null);
            if (code != (w.Deny ? "INSUFFICIENT_SCOPE" : "VALID")) Interlocked.Increment(ref wrong);
        });
        Assert.Equal(0, wrong);
        var lastRequest = Stopwatch.StartNew();

        var done = await Http.EventuallyAsync(async () =>
        {
            foreach (var (id, _) in keys)
                if (Sum(await UsageAsync(admin, id)).Total != 500) return false;
            return true;
        }, TimeSpan.FromSeconds(10));
        var elapsed = lastRequest.Elapsed;
        Assert.True(done, "usage totals did not reach 500 per key within 10 s of the last request");

        foreach (var (id, _) in keys)
        {
            var usage = await UsageAsync(admin, id);
            Assert.Equal(id, usage["keyId"]!.GetValue<string>());
            Assert.Equal("hour", usage["granularity"]!.GetValue<string>());
            Assert.True(usage["buckets"]!.AsArray().Count is 24 or 25, "default: the last 24 hours, empty buckets included");
            // Cost: only the allowed requests consume it (docs/security.md, "Unauthenticated calls do not write storage").
            Assert.True(Sum(usage) == (500L, 400L, 100L, 400L), usage.ToJsonString());
            var denied = usage["buckets"]!.AsArray().SelectMany(b => b!["denied"]!.AsObject()).GroupBy(d => d.Key).ToDictionary(g => g.Key, g => g.Sum(d => d.Value!.GetValue<long>()));
            Assert.Equal(new Dictionary<string, long> { ["INSUFFICIENT_SCOPE"] = 100 }, denied);
        }
        // lastUsedAt is maintained from the VALID events.
        var (_, key) = await admin.SendAsync(HttpMethod.Get, $"/api/keys/{keys[0].Id}");
        Assert.NotNull(key!["lastUsedAt"]);
        Assert.True(elapsed < TimeSpan.FromSeconds(10), $"took {elapsed}");
    }

    [Fact]
    public async Task A_message_delivered_twice_is_counted_once()
    {
        var (_, server, admin) = await Fixtures.StartAsync(g => g.With("Hokusai:Usage:Enabled", "false"));
        using var _ = server;
        var (id, _) = await admin.CreateKeyAsync(new { name = "dup" });
        var ingestor = server.Services.GetRequiredService<UsageIngestor>();
        var now = DateTimeOffset.UtcNow;
        var events = Enumerable.Range(0, 300).Select(i => new UsageEvent(id, "admin", now, i % 3 == 0 ? "RATE_LIMITED" : "VALID", null, 2)).ToList();
        var message = Assert.Single(UsageMessage.Pack(events));

        var first = await ingestor.IngestAsync(message.Payload, CancellationToken.None);
        var second = await ingestor.IngestAsync(message.Payload, CancellationToken.None);
        Assert.Equal((1, 0), (first.Writes, first.Duplicates));
        Assert.Equal((0, 1), (second.Writes, second.Duplicates));

        var usage = await UsageAsync(admin, id);
        Assert.Equal((300L, 200L, 100L, 400L), Sum(usage)); // a refused event adds no cost, whatever cost it carries
    }

    [Fact]
    public async Task A_receive_ingested_together_skips_the_parts_already_applied_and_reports_invalid_messages()
    {
        var (_, server, admin) = await Fixtures.StartAsync(g => g.With("Hokusai:Usage:Enabled", "false"));
        using var _ = server;
        var (k1, _) = await admin.CreateKeyAsync(new { name = "k1" });
        var (k2, _) = await admin.CreateKeyAsync(new { name = "k2" });
        var ingestor = server.Services.GetRequiredService<UsageIngestor>();
        var now = DateTimeOffset.UtcNow;
        BinaryData Message(int n) => UsageMessage.Pack(Enumerable.Range(0, n)
            .Select(i => new UsageEvent(i % 2 == 0 ? k1 : k2, "admin", now.AddHours(-(i % 3)), "VALID", null, 1)).ToList()).Single().Payload;
        var (a, b, c) = (Message(10), Message(20), Message(30));
        await ingestor.IngestAsync(a, CancellationToken.None); // delivered before, e.g. by another instance

        var results = await ingestor.IngestManyAsync([a, b, BinaryData.FromString("{oops"), c, b], CancellationToken.None);
        Assert.Null(results[0]);
        Assert.Null(results[1]);
        Assert.IsType<InvalidUsageMessageException>(results[2]);
        Assert.Null(results[3]);
        var total = Sum(await UsageAsync(admin, k1)).Total + Sum(await UsageAsync(admin, k2)).Total;
        Assert.Equal(60L, total);
    }

    [Fact]
    public async Task Two_ingesters_racing_on_one_key_hour_lose_nothing()
    {
        var (_, server, admin) = await Fixtures.StartAsync(g => g.With("Hokusai:Usage:Enabled", "false"));
        using var _ = server;
        var (id, _) = await admin.CreateKeyAsync(new { name = "race" });
        var tables = server.Services.GetRequiredService<StorageTables>();
        var a = server.Services.GetRequiredService<UsageIngestor>();
        var b = new UsageIngestor(tables, new UsageDayIndex(tables), TimeProvider.System, NullLogger<UsageIngestor>.Instance);
        var now = DateTimeOffset.UtcNow;
        var messages = Enumerable.Range(0, 40)
            .Select(m => UsageMessage.Pack(Enumerable.Range(0, 25).Select(i => new UsageEvent(id, "admin", now, "VALID", null, 1)).ToList()).Single())
            .ToList();

        await Task.WhenAll(messages.Select((m, i) => Task.Run(() => (i % 2 == 0 ? a : b).IngestAsync(m.Payload, CancellationToken.None))));

        var row = await tables.Usage.GetEntityAsync<TableEntity>(id, UsageIngestor.HourRow(UsageIngestor.HourOf(now)));
        Assert.Equal(1000L, row.Value.GetInt64("Total"));
        Assert.Equal(1000L, row.Value.GetInt64("Allowed"));
    }

    [Fact]
    public async Task A_poison_message_lands_in_the_poison_queue_and_the_next_good_one_is_processed()
    {
        var (_, server, admin) = await Fixtures.StartAsync(g => g
            .With("Hokusai:Usage:MaxDequeueCount", "2").With("Hokusai:Usage:RetryDelayMilliseconds", "200").With("Hokusai:Usage:MaxPollIntervalMilliseconds", "200"));
        using var _ = server;
        var (id, _) = await admin.CreateKeyAsync(new { name = "poison" });
        var queues = server.Services.GetRequiredService<UsageQueues>();
        await queues.EnsureCreatedAsync(CancellationToken.None);

        await queues.Usage.SendMessageAsync(BinaryData.FromString("{not json"));
        await queues.Usage.SendMessageAsync(BinaryData.FromString("""{"v":99,"batchId":"b1","events":[]}"""));
        var good = UsageMessage.Pack([new UsageEvent(id, "admin", DateTimeOffset.UtcNow, "VALID", null, 1)]).Single();
        await queues.Usage.SendMessageAsync(good.Payload);

        Assert.True(await Http.EventuallyAsync(async () => Sum(await UsageAsync(admin, id)).Total == 1, TimeSpan.FromSeconds(10)), "the good message was not processed");
        var poisoned = new List<string>();
        Assert.True(await Http.EventuallyAsync(async () =>
        {
            foreach (var m in (await queues.Poison.ReceiveMessagesAsync(10, TimeSpan.FromSeconds(30))).Value)
            {
                poisoned.Add(m.Body.ToString());
                await queues.Poison.DeleteMessageAsync(m.MessageId, m.PopReceipt);
            }
            return poisoned.Count == 2;
        }, TimeSpan.FromSeconds(15)), $"poison queue holds {poisoned.Count} of 2");
        Assert.Contains("{not json", poisoned);
        Assert.Contains(poisoned, p => p.Contains("\"v\":99", StringComparison.Ordinal));
        var props = await queues.Usage.GetPropertiesAsync();
        Assert.Equal(0, props.Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task Stopping_the_server_gracefully_loses_no_buffered_event()
    {
        // Server A has no consumer in effect (its events must survive in the queue); server B ingests them.
        var group = await ServerGroup.CreateAsync();
        var serverA = group.StartServer(services =>
        {
            var consumer = services.Single(d => d.ImplementationType == typeof(UsageQueueConsumer));
            services.Remove(consumer);
        });
        var adminKey = await serverA.CreateAdminKeyAsync();
        var adminA = serverA.Client(adminKey);
        var (id, key) = await adminA.CreateKeyAsync(new { name = "shutdown" });
        var client = serverA.Client();
        await Parallel.ForEachAsync(Enumerable.Range(0, 300), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, _) =>
            Assert.Equal("VALID", await client.VerifyCodeAsync(key)));
        await serverA.DisposeAsync(); // graceful stop: the recorder drains its buffer to the queue

        using var serverB = group.StartServer();
        var adminB = serverB.Client(adminKey);
        Assert.True(await Http.EventuallyAsync(async () => Sum(await UsageAsync(adminB, id)).Total >= 300, TimeSpan.FromSeconds(15)), "events were lost");
        Assert.Equal(300L, Sum(await UsageAsync(adminB, id)).Total);
    }

    [Fact]
    public async Task The_usage_route_checks_its_query_and_scopes_to_the_owner()
    {
        var (_, server, admin) = await Fixtures.StartAsync();
        using var _ = server;
        var (id, _) = await admin.CreateKeyAsync(new { name = "q" });

        Assert.Equal(400, (await admin.SendAsync(HttpMethod.Get, $"/api/keys/{id}/usage?granularity=minute")).Status);
        Assert.Equal(400, (await admin.SendAsync(HttpMethod.Get, $"/api/keys/{id}/usage?from=yesterday")).Status);
        Assert.Equal(400, (await admin.SendAsync(HttpMethod.Get, $"/api/keys/{id}/usage?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z")).Status);
        // 1,000 hourly buckets are fine, 1,001 are not.
        Assert.Equal(200, (await admin.SendAsync(HttpMethod.Get, $"/api/keys/{id}/usage?from=2026-01-01T00:00:00Z&to=2026-02-11T16:00:00Z&granularity=hour")).Status);
        Assert.Equal(400, (await admin.SendAsync(HttpMethod.Get, $"/api/keys/{id}/usage?from=2026-01-01T00:00:00Z&to=2026-02-11T16:00:01Z&granularity=hour")).Status);

        var week = await UsageAsync(admin, id, "?granularity=day");
        Assert.Equal("day", week["granularity"]!.GetValue<string>());
        Assert.True(week["buckets"]!.AsArray().Count is 7 or 8);
        var days = await UsageAsync(admin, id, "?from=2026-01-01T00:00:00Z&to=2026-01-31T00:00:00Z");
        Assert.Equal("day", days["granularity"]!.GetValue<string>());
        Assert.Equal(30, days["buckets"]!.AsArray().Count);
        Assert.Equal("2026-01-01T00:00:00+00:00", days["buckets"]![0]!["start"]!.GetValue<string>());

        var (otherId, _) = await admin.CreateKeyAsync(new { name = "other", owner = "someone-else", scopes = new[] { "keys:read" } });
        var (_, mine) = await admin.CreateKeyAsync(new { name = "mine", owner = "me", scopes = new[] { "keys:read" } });
        Assert.Equal(404, (await server.Client(mine).SendAsync(HttpMethod.Get, $"/api/keys/{otherId}/usage")).Status);
    }

    [Fact]
    public void Messages_stay_within_64_KiB_after_base64_and_round_trip()
    {
        var now = DateTimeOffset.UtcNow;
        var events = Enumerable.Range(0, 20_000)
            .Select(i => new UsageEvent("k" + (i % 20).ToString("D15", System.Globalization.CultureInfo.InvariantCulture), "owner-" + i % 7, now, "VALID", System.Net.IPAddress.Parse("2001:db8::" + i.ToString("x", System.Globalization.CultureInfo.InvariantCulture)), 1))
            .ToList();
        var messages = UsageMessage.Pack(events);
        Assert.True(messages.Count > 1);
        Assert.All(messages, m => Assert.True(((m.Payload.ToMemory().Length + 2) / 3 * 4) <= UsageQueues.MaxMessageBytes));
        Assert.Equal(20_000, messages.Sum(m => m.Count));
        // Compressed: far more than the ~400 events an uncompressed message holds.
        Assert.True(messages.Average(m => m.Count) > 1000, $"{messages.Average(m => m.Count)} events per message");
        var parsed = messages.SelectMany(m => UsageMessage.Parse(m.Payload).Events).ToList();
        static (string, string, string, string?, int, long) Fields(UsageEvent e) => (e.KeyId, e.Owner, e.Code, e.ClientIp?.ToString(), e.Cost, e.Timestamp.ToUnixTimeMilliseconds());
        Assert.Equal(events.Select(Fields).Order(), parsed.Select(Fields).Order());
        // Packed in key order, so each message covers few keys.
        Assert.Equal(parsed.Select(e => e.KeyId).Order(StringComparer.Ordinal), parsed.Select(e => e.KeyId));
        // An event's id is its place in its batch: unique across the messages of a flush.
        var ids = messages.SelectMany(m => Enumerable.Range(0, m.Count).Select(i => UsageMessage.EventId(m.BatchId, i))).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(messages, m => Assert.True(UsageMessage.Parse(m.Payload).Events.Select(e => e.KeyId).Distinct().Count() <= m.Count / 1000 + 2));
        Assert.Throws<InvalidUsageMessageException>(() => UsageMessage.Parse(BinaryData.FromString("[]")));
        Assert.Throws<InvalidUsageMessageException>(() => UsageMessage.Parse(BinaryData.FromString("""{"v":3,"batchId":"x","keys":[]}""")));
    }

    [Fact]
    public void Queue_names_follow_the_storage_rules()
    {
        Assert.Equal("t1abcusage", new UsageOptions().EffectiveQueueName(new StorageOptions { TablePrefix = "T1abc" }));
        Assert.True(UsageQueues.IsValidQueueName("usage"));
        Assert.False(UsageQueues.IsValidQueueName("Usage"));
        Assert.False(UsageQueues.IsValidQueueName("us"));
        Assert.False(UsageQueues.IsValidQueueName("a--b"));
        _ = Options.Create(new UsageOptions());
    }
}
