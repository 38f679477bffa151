using Azure.Data.Tables;
using Hokusai.Keys.Azure.Tables;
using Hokusai.Keys.Azure.Usage;
using Hokusai.Keys.Testing;
using Hokusai.Keys.Usage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hokusai.Keys.Azure.Tests;

/// <summary>Usage aggregates count the distinct client addresses of each key-hour ("a key suddenly used from many addresses").</summary>
public sealed class UsageAddressTests
{
    [Fact]
    public async Task Twelve_requests_from_five_addresses_show_five_in_the_hour_and_in_the_metric()
    {
        var group = (await ServerGroup.CreateAsync())
            .With("Hokusai:Network:TrustedProxies", "10.9.0.0/16")
            .With("Hokusai:Usage:FlushIntervalMilliseconds", "50");
        using var server = group.StartServer();
        using var meter = new ServerMeter(server);
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (id, key) = await admin.CreateKeyAsync(new { name = "many places" });
        var owner = (await admin.SendAsync(HttpMethod.Get, $"/api/keys/{id}")).Body!["owner"]!.GetValue<string>();

        // The proxy (a trusted 10.9.0.0/16 peer) names the client in X-Forwarded-For, as in the allow-list tests.
        string[] addresses = ["203.0.113.1", "203.0.113.2", "203.0.113.3", "198.51.100.7", "2001:db8::5"];
        for (var i = 0; i < 12; i++)
        {
            var client = server.Client(key, "10.9.0.1");
            client.DefaultRequestHeaders.Add("X-Forwarded-For", addresses[i % addresses.Length]);
            Assert.Equal(204, (int)(await client.GetAsync("/api/authorize")).StatusCode);
        }

        System.Text.Json.Nodes.JsonNode? hour = null;
        var ingested = await Http.EventuallyAsync(async () =>
        {
            var (status, usage) = await admin.SendAsync(HttpMethod.Get, $"/api/keys/{id}/usage?granularity=hour");
            Assert.Equal(200, status);
            hour = usage!["buckets"]!.AsArray().SingleOrDefault(b => b!["total"]!.GetValue<long>() > 0);
            return hour?["total"]!.GetValue<long>() == 12;
        }, TimeSpan.FromSeconds(15));
        Assert.True(ingested, "the 12 requests were not ingested into one hour within 15 s");
        Assert.Equal(5, hour!["distinctAddresses"]!.GetValue<long>());

        var recorded = meter.Recorded(KeyMetrics.KeyHourAddressesName);
        Assert.Contains(recorded, m => m.Value == 5 && (string?)m.Tags[KeyMetrics.OwnerBucketTag] == OwnerBucket.Of(owner));
    }

    [Fact]
    public async Task Distinct_addresses_are_exact_across_racing_ingesters_and_redeliveries_and_capped()
    {
        var (_, server, admin) = await Fixtures.StartAsync(g => g.With("Hokusai:Usage:Enabled", "false"));
        using var _ = server;
        var (id, _) = await admin.CreateKeyAsync(new { name = "race" });
        var tables = server.Services.GetRequiredService<StorageTables>();
        var a = server.Services.GetRequiredService<UsageIngestor>();
        var b = new UsageIngestor(tables, new UsageDayIndex(tables), TimeProvider.System, NullLogger<UsageIngestor>.Instance);
        var now = DateTimeOffset.UtcNow;
        var hour = UsageIngestor.HourRow(UsageIngestor.HourOf(now));
        static System.Net.IPAddress Address(int i) => new(new byte[] { 198, 18, (byte)(i / 250), (byte)(i % 250 + 1) });

        // 20 messages of 30 events over 300 addresses, each address in two messages (on both ingesters).
        var messages = Enumerable.Range(0, 20)
            .Select(m => UsageMessage.Pack(Enumerable.Range(0, 30).Select(i => new UsageEvent(id, "admin", now, "VALID", Address((m % 10 * 30) + i), 1)).ToList()).Single())
            .ToList();
        await Task.WhenAll(messages.Select((m, i) => Task.Run(() => (i % 2 == 0 ? a : b).IngestAsync(m.Payload, CancellationToken.None))));
        await a.IngestAsync(messages[0].Payload, CancellationToken.None); // a redelivery changes nothing
        // The same address written as IPv4-mapped IPv6 is the same client.
        await a.IngestAsync(UsageMessage.Pack([new UsageEvent(id, "admin", now, "VALID", Address(0).MapToIPv6(), 1)]).Single().Payload, CancellationToken.None);

        var row = (await tables.Usage.GetEntityAsync<TableEntity>(id, hour)).Value;
        Assert.Equal(601L, row.GetInt64("Total"));
        Assert.Equal(300L, row.GetInt64(UsageIngestor.DistinctAddressesColumn));

        // Past the cap the set stops growing: the count says "at least the cap", and the row stays small.
        var more = Enumerable.Range(300, UsageIngestor.MaxTrackedAddresses).Select(i => new UsageEvent(id, "admin", now, "VALID", Address(i), 1)).ToList();
        foreach (var message in UsageMessage.Pack(more)) await a.IngestAsync(message.Payload, CancellationToken.None);
        row = (await tables.Usage.GetEntityAsync<TableEntity>(id, hour)).Value;
        Assert.Equal(UsageIngestor.MaxTrackedAddresses, row.GetInt64(UsageIngestor.DistinctAddressesColumn));
        Assert.Equal(UsageIngestor.MaxTrackedAddresses * 4, row.GetBinary(UsageIngestor.AddressesColumn)!.Length);
    }
}
