using System.Text.Json.Nodes;
using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Api.Tests;

/// <summary>Redis is a cache: a quota counter lost with every Redis key is rebuilt from the durable usage aggregates.</summary>
public sealed class QuotaDurabilityTests
{
    [Theory]
    [InlineData(RedisTopology.SingleNode)]
    [InlineData(RedisTopology.Cluster)]
    public async Task A_used_up_quota_stays_used_up_when_Redis_loses_every_key_and_counts_the_whole_rotation_chain(RedisTopology topology)
    {
        // Its own Redis: FLUSHALL must not touch other tests.
        using var single = topology == RedisTopology.SingleNode ? await RedisInstance.StartAsync() : null;
        using var cluster = topology == RedisTopology.Cluster ? await RedisCluster.StartAsync() : null;
        var group = (single is not null ? await ServerGroup.CreateAsync(single) : await ServerGroup.CreateAsync(cluster!))
            .With("Hokusai:Usage:FlushIntervalMilliseconds", "50");
        using var server = group.StartServer();
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var client = server.Client();
        var (oldId, oldKey) = await admin.CreateKeyAsync(new { name = "metered", quota = new { limit = 10, period = "month" } });

        async Task<JsonNode> VerifyAsync(string key, int cost) => (await client.PostJsonAsync("/api/keys/verify", new { key, cost })).Body!;

        for (var i = 0; i < 3; i++) Assert.Equal("VALID", (await VerifyAsync(oldKey, 2))["code"]!.GetValue<string>());
        var rotated = (await admin.PostJsonAsync($"/api/keys/{oldId}/rotate", new { gracePeriodSeconds = 300 })).Body!;
        var newId = rotated["key"]!["id"]!.GetValue<string>();
        var newKey = rotated["key"]!["key"]!.GetValue<string>();
        for (var i = 0; i < 2; i++) Assert.Equal("VALID", (await VerifyAsync(newKey, 2))["code"]!.GetValue<string>());
        // Refused requests are recorded too (with their cost) but consumed nothing.
        Assert.Equal("QUOTA_EXCEEDED", (await VerifyAsync(newKey, 1))["code"]!.GetValue<string>());
        Assert.Equal("QUOTA_EXCEEDED", (await VerifyAsync(oldKey, 3))["code"]!.GetValue<string>());

        // Every event is in the aggregates (the documented in-flight allowance is then zero).
        var ingested = false;
        for (var attempt = 0; attempt < 100 && !ingested; attempt++)
        {
            ingested = await TotalAsync(admin, oldId) == 4 && await TotalAsync(admin, newId) == 3;
            if (!ingested) await Task.Delay(100);
        }
        Assert.True(ingested, "usage events were not ingested within 10 s");

        if (cluster is not null) await cluster.FlushAllAsync();
        else await single!.FlushAllAsync();

        var check = await VerifyAsync(newKey, 0);
        Assert.Equal("VALID", check["code"]!.GetValue<string>()); // a cost-0 check fits, and reports the rebuilt count
        Assert.Equal(0, check["quota"]!["remaining"]!.GetValue<long>());
        Assert.Equal("QUOTA_EXCEEDED", (await VerifyAsync(newKey, 1))["code"]!.GetValue<string>());
        Assert.Equal("QUOTA_EXCEEDED", (await VerifyAsync(oldKey, 1))["code"]!.GetValue<string>());
    }

    private static async Task<long> TotalAsync(HttpClient admin, string id)
    {
        var (status, body, _) = await admin.GetJsonAsync($"/api/keys/{id}/usage");
        Assert.Equal(200, status);
        return body!["buckets"]!.AsArray().Sum(b => b!["total"]!.GetValue<long>());
    }
}
