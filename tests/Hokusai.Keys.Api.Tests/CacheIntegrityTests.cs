using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using System.Text.RegularExpressions;
using Hokusai.Keys.Testing;
using StackExchange.Redis;

namespace Hokusai.Keys.Api.Tests;

/// <summary>
/// The shared cache across instances with different peppers (revocation reaches every instance) and against whoever can
/// write to Redis (an edited entry grants nothing). Real servers, real Azurite and Redis (issue 15, items 1 and 2), on a
/// single Redis and on a Redis Cluster.
/// </summary>
public class CacheIntegrityTests
{
    private static readonly TimeSpan RevocationBound = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData(RedisTopology.SingleNode)]
    [InlineData(RedisTopology.Cluster)]
    public async Task Without_a_configured_pepper_a_revocation_on_one_instance_is_seen_by_the_other_within_one_second(RedisTopology topology)
    {
        // The default: each process makes up its own pepper.
        var group = (await ServerGroup.CreateAsync(topology)).With("Hokusai:Security:CachePepper", "");
        using var a = group.StartServer();
        using var b = group.StartServer();

        await AssertRevocationSpreadsAsync(revoking: a, observing: b);
        await AssertRevocationSpreadsAsync(revoking: b, observing: a);
    }

    [Theory]
    [InlineData(RedisTopology.SingleNode)]
    [InlineData(RedisTopology.Cluster)]
    public async Task During_a_pepper_rotation_a_revocation_is_seen_by_the_instance_with_the_other_pepper_within_one_second(RedisTopology topology)
    {
        var oldPepper = "old-pepper-" + Guid.NewGuid().ToString("N");
        var newPepper = "new-pepper-" + Guid.NewGuid().ToString("N");
        var group = await ServerGroup.CreateAsync(topology);
        using var onOld = group.With("Hokusai:Security:CachePepper", oldPepper).StartServer();
        // The rotation as docs/deploy.md described it before: the new pepper with the old one as "previous".
        using var onNew = group.With("Hokusai:Security:CachePepper", newPepper).With("Hokusai:Security:PreviousCachePepper", oldPepper).StartServer();

        await AssertRevocationSpreadsAsync(revoking: onOld, observing: onNew);
        await AssertRevocationSpreadsAsync(revoking: onNew, observing: onOld);
    }

    /// <summary>The key is cached on both instances (and in Redis) before the revocation; the observer polls with a deadline.</summary>
    private static async Task AssertRevocationSpreadsAsync(HokusaiServer revoking, HokusaiServer observing)
    {
        var admin = revoking.Client(await revoking.CreateAdminKeyAsync());
        var (id, key) = await admin.CreateKeyAsync(new { name = "revoke across peppers" });
        var observer = observing.Client();
        var reviser = revoking.Client();
        Assert.Equal("VALID", await observer.VerifyCodeAsync(key));
        Assert.Equal("VALID", await reviser.VerifyCodeAsync(key));
        Assert.Equal("VALID", await observer.VerifyCodeAsync(key));
        Assert.Equal("VALID", await reviser.VerifyCodeAsync(key));

        Assert.Equal(200, (await admin.PostJsonAsync($"/api/keys/{id}/revoke")).Status);
        var revokedAt = Stopwatch.StartNew();
        string code;
        do code = await observer.VerifyCodeAsync(key);
        while (code == "VALID" && revokedAt.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Equal("REVOKED", code);
        Assert.True(revokedAt.Elapsed < RevocationBound, $"the other instance saw the revocation after {revokedAt.ElapsedMilliseconds} ms");
        Assert.Equal("REVOKED", await reviser.VerifyCodeAsync(key));
    }

    [Theory]
    [InlineData(RedisTopology.SingleNode)]
    [InlineData(RedisTopology.Cluster)]
    public async Task Adding_admin_to_the_scopes_of_a_cached_key_in_Redis_grants_nothing_and_is_counted(RedisTopology topology)
    {
        using var rejections = new RejectionCounter();
        var group = (await ServerGroup.CreateAsync(topology)).With("Hokusai:Cache:LocalSeconds", "1");
        using var server = group.StartServer();
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (id, key) = await admin.CreateKeyAsync(new { name = "reader", scopes = new[] { "read" } });
        var client = server.Client();
        Assert.Equal("INSUFFICIENT_SCOPE", await client.VerifyCodeAsync(key, scopes: ["admin"]));

        await TamperAsync(group, id, json => json.Replace("\"Scopes\":[", "\"Scopes\":[\"admin\",", StringComparison.Ordinal));

        // L1 lives at most a second: from then on every answer comes through Redis, until the edit is noticed.
        await AssertAuthorityUnchangedAsync(rejections, caller => caller.VerifyCodeAsync(key, scopes: ["admin"]), server, "INSUFFICIENT_SCOPE");
    }

    [Theory]
    [InlineData(RedisTopology.SingleNode)]
    [InlineData(RedisTopology.Cluster)]
    public async Task Un_revoking_a_cached_key_in_Redis_grants_nothing_and_is_counted(RedisTopology topology)
    {
        using var rejections = new RejectionCounter();
        var group = (await ServerGroup.CreateAsync(topology)).With("Hokusai:Cache:LocalSeconds", "1");
        using var server = group.StartServer();
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (id, key) = await admin.CreateKeyAsync(new { name = "revoked" });
        var client = server.Client();
        Assert.Equal(200, (await admin.PostJsonAsync($"/api/keys/{id}/revoke")).Status);
        Assert.Equal("REVOKED", await client.VerifyCodeAsync(key));

        await TamperAsync(group, id, json => Regex.Replace(json, "\"RevokedAt\":\"[^\"]*\"", "\"RevokedAt\":null"));

        await AssertAuthorityUnchangedAsync(rejections, caller => caller.VerifyCodeAsync(key), server, "REVOKED");
    }

    /// <summary>
    /// Every answer until the server counted the failed check (and a few after) is <paramref name="expected"/>. The
    /// tampered entry is only read once L1 expired, so this polls: no fixed wait. Each request comes from an address of
    /// its own: refusals count as failed verifications, and one address would soon be throttled.
    /// </summary>
    private static async Task AssertAuthorityUnchangedAsync(
        RejectionCounter rejections, Func<HttpClient, Task<string>> ask, HokusaiServer server, string expected)
    {
        var asked = 0;
        Task<string> AskAsync()
        {
            asked++;
            return ask(server.Client(peer: $"10.77.{asked / 250}.{asked % 250 + 1}"));
        }

        var deadline = Stopwatch.StartNew();
        while (rejections.Integrity == 0 && deadline.Elapsed < TimeSpan.FromSeconds(10))
            Assert.Equal(expected, await AskAsync());
        Assert.True(rejections.Integrity > 0, $"no rejected entry counted after {asked} answers");
        for (var i = 0; i < 5; i++) Assert.Equal(expected, await AskAsync());
    }

    /// <summary>Edits the key's Redis entry as someone with write access to Redis (but not the pepper) would.</summary>
    private static async Task TamperAsync(ServerGroup group, string keyId, Func<string, string> edit)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"{group.RedisConnectionString},syncTimeout=10000,asyncTimeout=10000");
        var database = redis.GetDatabase();
        // Written in the background after the answer: wait for it.
        var until = Stopwatch.StartNew();
        RedisKey? entry = null;
        while (entry is null && until.Elapsed < TimeSpan.FromSeconds(10))
        {
            foreach (var found in await redis.KeysAsync($"*{group.RedisKeyPrefix}:key:*{keyId}")) entry = found;
            if (entry is null) await Task.Delay(20);
        }
        Assert.True(entry is not null, "the key's entry never reached Redis");
        var stored = (byte[])(await database.HashGetAsync(entry.Value, "data"))!;
        // Latin-1 maps every byte to one char and back: whatever precedes the JSON survives the edit unchanged.
        var text = Encoding.Latin1.GetString(stored);
        var edited = edit(text);
        Assert.NotEqual(text, edited);
        await database.HashSetAsync(entry.Value, "data", Encoding.Latin1.GetBytes(edited));
    }

    /// <summary>Counts <c>hokusai.cache.entries_rejected</c> with reason <c>integrity</c> (any instance in this process).</summary>
    private sealed class RejectionCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _integrity;

        public RejectionCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Hokusai.Keys" && instrument.Name == "hokusai.cache.entries_rejected") listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                    if (tag.Key == "reason" && Equals(tag.Value, "integrity")) Interlocked.Add(ref _integrity, value);
            });
            _listener.Start();
        }

        public long Integrity => Interlocked.Read(ref _integrity);

        public void Dispose() => _listener.Dispose();
    }
}
