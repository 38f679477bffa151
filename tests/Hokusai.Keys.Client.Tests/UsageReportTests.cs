using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Hokusai.Keys.Azure.Usage;
using Hokusai.Keys.Client.Models;
using Hokusai.Keys.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hokusai.Keys.Client.Tests;

/// <summary>
/// Issue 20 item 3: the uses the ASP.NET Core handler answers from its cache are reported (<c>POST /api/usage/report</c>)
/// and counted like the platform's own verifications, once, and only for keys the reporter could see. Real Azurite + Redis.
/// </summary>
public sealed class UsageReportTests
{
    private static readonly TimeSpan IngestionDeadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_thousand_cached_requests_through_the_handler_show_as_a_thousand_uses_and_move_lastUsedAt()
    {
        var clock = new ShiftedTime();
        var group = await ServerGroup.CreateAsync();
        // Two instances sharing storage, Redis and the usage queue (both ingest it): the handler reports to B, the owner reads on A.
        using var server = group.StartServer(s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        using var other = group.StartServer(s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        using var admin = NewClient(server, await server.CreateAdminKeyAsync());
        var key = await admin.CreateKeyAsync(new CreateKeyOptions { Name = "cached", Owner = "acme", Scopes = ["models:read"] });
        var service = await admin.CreateKeyAsync(new CreateKeyOptions { Name = "edge", Owner = "acme", Scopes = [Domain.Caller.UsageReportScope] });
        await using var app = await AuthHandlerApp.StartAsync(other, o =>
        {
            o.ServiceKey = service.Key;
            o.ValidCacheDuration = TimeSpan.FromMinutes(10);
        });

        // The cache is warmed by one verify, which the platform counts itself.
        using (var warm = await app.Client.SendAsync(AuthHandlerApp.Get("/me", bearer: key.Key, peer: "203.0.113.7")))
            Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        Assert.True(await EventuallyAsync(async () => await TotalAsync(admin, key.Id) == 1), "the warming verify was not counted");
        var before = (await admin.GetKeyAsync(key.Id)).LastUsedAt;
        Assert.NotNull(before);
        // lastUsedAt is kept to the minute (the ingestor skips closer writes): the platform's clock moves on by more.
        clock.Offset = TimeSpan.FromMinutes(2);

        for (var i = 0; i < 1000; i++)
        {
            using var response = await app.Client.SendAsync(AuthHandlerApp.Get("/me", bearer: key.Key, peer: "203.0.113.7"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.True(await EventuallyAsync(async () => await TotalAsync(admin, key.Id) >= 1001),
            $"usage did not reach 1 + 1000 within {IngestionDeadline.TotalSeconds} s (total {await TotalAsync(admin, key.Id)})");
        // Nothing more is on its way: the queue is empty, and the count is exact.
        var queues = server.Services.GetRequiredService<UsageQueues>();
        Assert.True(await EventuallyAsync(async () => (await queues.Usage.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0), "the usage queue did not drain");
        Assert.Equal(1001, await TotalAsync(admin, key.Id));
        var after = (await admin.GetKeyAsync(key.Id)).LastUsedAt;
        Assert.True(after >= before + TimeSpan.FromMinutes(1), $"lastUsedAt did not move ({before:O} → {after:O})");
    }

    [Fact]
    public async Task A_retried_report_is_applied_once()
    {
        var (server, admin, queues, ingestor) = await StartWithManualIngestionAsync();
        using var _ = server;
        using var __ = admin;
        var key = await admin.CreateKeyAsync(new CreateKeyOptions { Name = "counted", Owner = "acme" });
        var service = await admin.CreateKeyAsync(new CreateKeyOptions { Name = "edge", Owner = "acme", Scopes = [Domain.Caller.UsageReportScope] });
        using var reporter = NewClient(server, service.Key!);

        var id = Guid.NewGuid();
        UsageReportEntry[] uses = [new(key.Id, "203.0.113.7", 3), new(key.Id, "198.51.100.20", 2)];
        var first = await reporter.ReportUsageAsync(id, uses);
        var retry = await reporter.ReportUsageAsync(id, uses); // as after a lost answer
        Assert.Equal((id.ToString("D"), 1, 5L), (first.Id, first.Keys, first.Uses));
        Assert.Equal((first.Id, first.Keys, first.Uses), (retry.Id, retry.Keys, retry.Uses));

        var results = await IngestAllAsync(queues, ingestor);
        Assert.Equal(5, await TotalAsync(admin, key.Id));
        var ofReport = results.Where(r => r.BatchId == "report-" + id.ToString("N")).ToList();
        Assert.Equal(2, ofReport.Count);
        Assert.Equal(1, ofReport.Sum(r => r.Duplicates)); // the second delivery changed nothing
        Assert.NotNull((await admin.GetKeyAsync(key.Id)).LastUsedAt);
    }

    [Fact]
    public async Task A_weaker_key_cannot_report_uses_of_another_owners_key_which_are_skipped()
    {
        var (server, admin, queues, ingestor) = await StartWithManualIngestionAsync();
        using var _ = server;
        using var __ = admin;
        var victim = await admin.CreateKeyAsync(new CreateKeyOptions { Name = "victim", Owner = "acme" });
        var own = await admin.CreateKeyAsync(new CreateKeyOptions { Name = "own", Owner = "beta" });
        var beta = await admin.CreateKeyAsync(new CreateKeyOptions { Name = "beta-edge", Owner = "beta", Scopes = [Domain.Caller.UsageReportScope] });
        var reader = await admin.CreateKeyAsync(new CreateKeyOptions { Name = "acme-reader", Owner = "acme", Scopes = ["keys:read"] });
        var writer = await admin.CreateKeyAsync(new CreateKeyOptions { Name = "acme-writer", Owner = "acme", Scopes = ["keys:write"] });

        using var betaClient = NewClient(server, beta.Key!);
        // Another owner's key is skipped (as an unknown id would be: the answer tells them apart from nothing).
        var skipped = await betaClient.ReportUsageAsync(Guid.NewGuid(), [new(victim.Id, null, 100_000)]);
        Assert.Equal((0, 0L, 1), (skipped.Keys, skipped.Uses, skipped.SkippedKeys));
        var unknown = await betaClient.ReportUsageAsync(Guid.NewGuid(), [new("Zz99Yy88Xx77Ww66", null, 5)]);
        Assert.Equal((0, 0L, 1), (unknown.Keys, unknown.Uses, unknown.SkippedKeys));
        // With one of its own keys in the same report: its own uses count, the other owner's do not.
        var mixed = await betaClient.ReportUsageAsync(Guid.NewGuid(), [new(own.Id, null, 7), new(victim.Id, null, 7)]);
        Assert.Equal((1, 7L, 1), (mixed.Keys, mixed.Uses, mixed.SkippedKeys));
        // Management scopes do not report usage, and do not grant the scope.
        using var readerClient = NewClient(server, reader.Key!);
        var refused = await Assert.ThrowsAsync<HokusaiApiException>(() => readerClient.ReportUsageAsync(Guid.NewGuid(), [new(victim.Id, null, 1)]));
        Assert.Equal((403, ErrorCodes.InsufficientScope), (refused.Status, refused.Code));
        using var writerClient = NewClient(server, writer.Key!);
        refused = await Assert.ThrowsAsync<HokusaiApiException>(() => writerClient.CreateKeyAsync(
            new CreateKeyOptions { Name = "minted", Scopes = [Domain.Caller.UsageReportScope] }));
        Assert.Equal((403, ErrorCodes.InsufficientScope), (refused.Status, refused.Code));

        await IngestAllAsync(queues, ingestor);
        Assert.Equal(0, await TotalAsync(admin, victim.Id));
        Assert.Equal(7, await TotalAsync(admin, own.Id));
    }

    /// <summary>
    /// One cached answer for a key the service key cannot see (another owner, the other environment, an admin key) must
    /// not make the platform refuse, and the reporter drop, every other key's uses.
    /// </summary>
    [Fact]
    public async Task A_caller_with_a_key_of_another_owner_does_not_erase_the_reported_uses_of_other_keys()
    {
        var group = await ServerGroup.CreateAsync();
        using var server = group.StartServer();
        using var admin = NewClient(server, await server.CreateAdminKeyAsync());
        var customer = await admin.CreateKeyAsync(new CreateKeyOptions { Name = "customer", Owner = "acme", Scopes = ["models:read"] });
        var attacker = await admin.CreateKeyAsync(new CreateKeyOptions { Name = "attacker", Owner = "beta", Scopes = ["models:read"] });
        var service = await admin.CreateKeyAsync(new CreateKeyOptions { Name = "edge", Owner = "acme", Scopes = [Domain.Caller.UsageReportScope] });
        await using var app = await AuthHandlerApp.StartAsync(server, o =>
        {
            o.ServiceKey = service.Key;
            o.ValidCacheDuration = TimeSpan.FromMinutes(10);
        });

        // Both answers cached, then every round of the reporter holds uses of both keys.
        for (var i = 0; i <= 50; i++)
        {
            using var own = await app.Client.SendAsync(AuthHandlerApp.Get("/me", bearer: customer.Key, peer: "203.0.113.7"));
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
            using var other = await app.Client.SendAsync(AuthHandlerApp.Get("/me", bearer: attacker.Key, peer: "198.51.100.9"));
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }

        Assert.True(await EventuallyAsync(async () => await TotalAsync(admin, customer.Id) >= 51),
            $"the customer's 50 cached uses were not counted (total {await TotalAsync(admin, customer.Id)}, expected 1 + 50)");
    }

    [Fact]
    public async Task A_key_with_the_watch_scope_reports_too_and_bad_reports_are_400_problems()
    {
        var (server, admin, _, _) = await StartWithManualIngestionAsync();
        using var _ = server;
        using var __ = admin;
        var key = await admin.CreateKeyAsync(new CreateKeyOptions { Name = "counted", Owner = "acme" });
        var watcher = await admin.CreateKeyAsync(new CreateKeyOptions { Name = "watcher", Owner = "acme", Scopes = ["keys:watch"] });
        using var watcherClient = NewClient(server, watcher.Key!);
        Assert.Equal(1, (await watcherClient.ReportUsageAsync(Guid.NewGuid(), [new(key.Id, null, 1)])).Keys);

        using var http = server.Client(watcher.Key);
        var entry = new JsonObject { ["keyId"] = key.Id, ["count"] = 1 };
        JsonNode Report(string? id, params JsonNode[] uses) => new JsonObject { ["id"] = id, ["uses"] = new JsonArray(uses) };
        var tooMany = Enumerable.Range(0, 501).Select(_ => entry.DeepClone()).ToArray();
        (string Case, JsonNode Body, string Field)[] bad =
        [
            ("no id", Report(null, entry.DeepClone()), "id"),
            ("not a GUID", Report("report-1", entry.DeepClone()), "id"),
            ("no uses", Report(Guid.NewGuid().ToString()), "uses"),
            ("too many entries", Report(Guid.NewGuid().ToString(), tooMany), "uses"),
            ("count 0", Report(Guid.NewGuid().ToString(), new JsonObject { ["keyId"] = key.Id, ["count"] = 0 }), "uses[0].count"),
            ("count too large", Report(Guid.NewGuid().ToString(), new JsonObject { ["keyId"] = key.Id, ["count"] = 100_001 }), "uses[0].count"),
            ("too many uses", Report(Guid.NewGuid().ToString(), new JsonObject { ["keyId"] = key.Id, ["count"] = 60_000 },
                new JsonObject { ["keyId"] = key.Id, ["count"] = 60_000 }), "uses"),
            ("bad address", Report(Guid.NewGuid().ToString(), new JsonObject { ["keyId"] = key.Id, ["clientIp"] = "012.1.1", ["count"] = 1 }), "uses[0].clientIp"),
        ];
        foreach (var (name, body, field) in bad)
        {
            using var response = await http.PostAsync("/api/usage/report", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
            var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)response.StatusCode}");
            Assert.Equal(ErrorCodes.ValidationFailed, problem["code"]!.GetValue<string>());
            Assert.True(problem["errors"]![field] is not null, $"{name}: no error for {field}");
        }
    }

    private static async Task<(HokusaiServer, HokusaiKeysClient, UsageQueues, UsageIngestor)> StartWithManualIngestionAsync()
    {
        var group = (await ServerGroup.CreateAsync()).With("Hokusai:Usage:ConsumeInProcess", "false");
        var server = group.StartServer();
        var admin = NewClient(server, await server.CreateAdminKeyAsync());
        return (server, admin, server.Services.GetRequiredService<UsageQueues>(), server.Services.GetRequiredService<UsageIngestor>());
    }

    /// <summary>Ingests every message on the usage queue (the in-process consumer is off), one at a time, in order.</summary>
    private static async Task<List<IngestResult>> IngestAllAsync(UsageQueues queues, UsageIngestor ingestor)
    {
        await queues.EnsureCreatedAsync(CancellationToken.None);
        var results = new List<IngestResult>();
        while (true)
        {
            var messages = (await queues.Usage.ReceiveMessagesAsync(32)).Value;
            if (messages.Length == 0) return results;
            foreach (var message in messages)
            {
                results.Add(await ingestor.IngestAsync(message.Body, CancellationToken.None));
                await queues.Usage.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }
    }

    private static HokusaiKeysClient NewClient(HokusaiServer server, string apiKey) => new(new HokusaiKeysClientOptions
    {
        Endpoint = server.Server.BaseAddress,
        ApiKey = apiKey,
        UseGlobalSetup = false,
        EnvironmentVariables = _ => null,
        ConfigFilePath = Path.Combine(Path.GetTempPath(), "hokusai-absent-" + Guid.NewGuid().ToString("N"), "config.json"),
        HttpMessageHandler = server.CreateCheckedHandler(),
    });

    private static async Task<long> TotalAsync(HokusaiKeysClient admin, string keyId) =>
        (await admin.GetUsageAsync(keyId)).Buckets.Sum(b => b.Total);

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow + IngestionDeadline;
        while (true)
        {
            if (await condition()) return true;
            if (DateTime.UtcNow > until) return false;
            await Task.Delay(200);
        }
    }

    /// <summary>The system clock, moved on by <see cref="Offset"/>.</summary>
    private sealed class ShiftedTime : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => TimeProvider.System.GetUtcNow() + Offset;
    }
}
