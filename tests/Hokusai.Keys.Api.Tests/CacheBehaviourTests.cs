using System.Diagnostics;
using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Api.Tests;

/// <summary>
/// The two-level cache: single-flight, cross-instance revocation, and behaviour with Redis or Storage down. Tests where
/// Redis (L2, backplane) takes part run on a single Redis and on a Redis Cluster.
/// </summary>
public class CacheBehaviourTests
{
    [Theory]
    [InlineData(RedisTopology.SingleNode)]
    [InlineData(RedisTopology.Cluster)]
    public async Task Concurrent_first_requests_cost_one_table_read_and_one_bcrypt(RedisTopology topology)
    {
        var group = await ServerGroup.CreateAsync(topology);
        using var creator = group.StartServer();
        var admin = creator.Client(await creator.CreateAdminKeyAsync());
        var (_, key) = await admin.CreateKeyAsync(new { name = "hot key" });

        var counter = new CallCounter();
        using var fresh = group.StartServer(counter.Install);
        var client = fresh.Client();
        using var start = new ManualResetEventSlim();
        var requests = Enumerable.Range(0, 200).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await client.VerifyCodeAsync(key);
        })).ToList();
        start.Set();
        var codes = await Task.WhenAll(requests);

        Assert.All(codes, c => Assert.Equal("VALID", c));
        Assert.Equal(1, counter.BcryptVerifications);
        Assert.Equal(1, counter.KeyReads);

        // Later requests are answered from the cache: still one of each.
        for (var i = 0; i < 20; i++) Assert.Equal("VALID", await client.VerifyCodeAsync(key));
        Assert.Equal(1, counter.BcryptVerifications);
        Assert.Equal(1, counter.KeyReads);
    }

    [Fact]
    public async Task Wrong_secrets_for_a_real_key_id_are_refused_without_repeated_bcrypt()
    {
        var group = await ServerGroup.CreateAsync();
        var counter = new CallCounter();
        using var server = group.StartServer(counter.Install);
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (id, key) = await admin.CreateKeyAsync(new { name = "target" });
        var client = server.Client();
        var wrong = Domain.ApiKeyFormat.Generate(Domain.KeyEnvironment.Live, id).Plaintext;

        // Before the real key was ever verified: one bcrypt for the wrong secret, then it is remembered.
        var before = counter.BcryptVerifications;
        for (var i = 0; i < 50; i++) Assert.Equal("NOT_FOUND", await client.VerifyCodeAsync(wrong));
        Assert.Equal(before + 1, counter.BcryptVerifications);

        // Once the real secret is verified, the digest alone refuses a wrong secret; a decoy bcrypt still runs (so the
        // time taken does not say the key exists), but only within the key id's budget: 10 a minute, of which the wrong
        // secret and the right one took two.
        Assert.Equal("VALID", await client.VerifyCodeAsync(key));
        var afterValid = counter.BcryptVerifications;
        for (var i = 0; i < 20; i++)
            Assert.Equal("NOT_FOUND", await client.VerifyCodeAsync(Domain.ApiKeyFormat.Generate(Domain.KeyEnvironment.Live, id).Plaintext));
        Assert.Equal(afterValid + 8, counter.BcryptVerifications);
    }

    [Theory]
    [InlineData(RedisTopology.SingleNode)]
    [InlineData(RedisTopology.Cluster)]
    public async Task A_revocation_is_seen_by_another_instance_within_one_second(RedisTopology topology)
    {
        var group = await ServerGroup.CreateAsync(topology);
        using var a = group.StartServer();
        using var b = group.StartServer();
        var admin = a.Client(await a.CreateAdminKeyAsync());
        var (id, key) = await admin.CreateKeyAsync(new { name = "revoke everywhere" });
        var clientB = b.Client();
        Assert.Equal("VALID", await clientB.VerifyCodeAsync(key)); // now cached in B's L1 and in Redis
        Assert.Equal("VALID", await clientB.VerifyCodeAsync(key));

        Assert.Equal(200, (await admin.PostJsonAsync($"/api/keys/{id}/revoke")).Status);
        var revokedAt = Stopwatch.StartNew();
        string code;
        do code = await clientB.VerifyCodeAsync(key);
        while (code == "VALID" && revokedAt.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Equal("REVOKED", code);
        Assert.True(revokedAt.Elapsed < TimeSpan.FromSeconds(1), $"instance B saw the revocation after {revokedAt.ElapsedMilliseconds} ms");
    }

    [Theory]
    [InlineData(RedisTopology.SingleNode)]
    [InlineData(RedisTopology.Cluster)]
    public async Task A_revocation_during_a_slow_first_load_leaves_nothing_stale_in_the_cache(RedisTopology topology)
    {
        var group = await ServerGroup.CreateAsync(topology);
        using var a = group.StartServer();
        var counter = new CallCounter { VerifyDelay = TimeSpan.FromMilliseconds(800) };
        using var b = group.StartServer(counter.Install);
        var admin = a.Client(await a.CreateAdminKeyAsync());
        var (id, key) = await admin.CreateKeyAsync(new { name = "cold key" });
        var (_, warmUp) = await admin.CreateKeyAsync(new { name = "warm-up" });
        Assert.Equal("VALID", await b.Client().VerifyCodeAsync(warmUp)); // the code path is compiled: the cold load below reads at once

        var verified = counter.BcryptVerifications;
        var coldLoad = b.Client().VerifyCodeAsync(key);          // reads the key, then spends 800 ms in bcrypt
        // Revoke once the load has read the key and is inside bcrypt (the seam counts on entry), not after a guessed delay.
        var deadline = Stopwatch.StartNew();
        while (counter.BcryptVerifications == verified && !coldLoad.IsCompleted && deadline.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(5);
        Assert.True(counter.BcryptVerifications > verified, "the cold load never reached bcrypt");
        Assert.False(coldLoad.IsCompleted, "the cold load finished before the revocation: the race was not run");
        Assert.Equal(200, (await admin.PostJsonAsync($"/api/keys/{id}/revoke")).Status);
        await coldLoad;                                           // began before the revocation: either answer is fair

        Assert.Equal("REVOKED", await b.Client().VerifyCodeAsync(key));
        Assert.Equal("REVOKED", await a.Client().VerifyCodeAsync(key));
    }

    [Theory]
    [InlineData(RedisTopology.SingleNode)]
    [InlineData(RedisTopology.Cluster)]
    public async Task With_Redis_stopped_answers_stay_correct_and_revocations_spread_within_the_local_ttl(RedisTopology topology)
    {
        // Its own Redis (one node, or every node of a cluster): stopped and started again below.
        using var single = topology == RedisTopology.SingleNode ? await RedisInstance.StartAsync() : null;
        using var cluster = topology == RedisTopology.Cluster ? await RedisCluster.StartAsync() : null;
        var group = (single is not null ? await ServerGroup.CreateAsync(single) : await ServerGroup.CreateAsync(cluster!))
            .With("Hokusai:Cache:LocalSeconds", "2");
        using var a = group.StartServer();
        using var b = group.StartServer();
        var admin = a.Client(await a.CreateAdminKeyAsync());
        var (cachedId, cached) = await admin.CreateKeyAsync(new { name = "cached" });
        var (_, uncached) = await admin.CreateKeyAsync(new { name = "uncached", allowedIps = new[] { "10.0.0.0/8" } });
        var clientA = a.Client();
        var clientB = b.Client();
        Assert.Equal("VALID", await clientB.VerifyCodeAsync(cached));

        single?.Stop();
        cluster?.Stop();

        var timer = Stopwatch.StartNew();
        Assert.Equal("VALID", await clientB.VerifyCodeAsync(cached));
        Assert.Equal("VALID", await clientA.VerifyCodeAsync(uncached, "10.1.1.1"));   // L1 miss: Table + bcrypt
        Assert.Equal("IP_NOT_ALLOWED", await clientA.VerifyCodeAsync(uncached, "11.1.1.1"));
        Assert.Equal("NOT_FOUND", await clientA.VerifyCodeAsync(Domain.ApiKeyFormat.Generate(Domain.KeyEnvironment.Live).Plaintext));
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(5), $"answers took {timer.ElapsedMilliseconds} ms with Redis down");

        // Revoked while Redis is down: stored, but answered 503 (the shared cache could not be cleared: retry), and in
        // effect at once on the instance that handled it and on B once B's L1 entry expires.
        Assert.Equal(503, (await admin.PostJsonAsync($"/api/keys/{cachedId}/revoke")).Status);
        Assert.Equal("REVOKED", await clientA.VerifyCodeAsync(cached));
        var spread = Stopwatch.StartNew();
        string code;
        do code = await clientB.VerifyCodeAsync(cached);
        while (code == "VALID" && spread.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Equal("REVOKED", code);

        if (single is not null) await single.StartAgainAsync();
        if (cluster is not null) await cluster.StartAgainAsync();
        // The client's retry of the (idempotent) revoke completes once Redis is back.
        var retried = Stopwatch.StartNew();
        int status;
        do status = (await admin.PostJsonAsync($"/api/keys/{cachedId}/revoke")).Status;
        while (status == 503 && retried.Elapsed < TimeSpan.FromSeconds(15));
        Assert.Equal(200, status);
        var (_, afterRecovery) = await admin.CreateKeyAsync(new { name = "after recovery" });
        Assert.Equal("VALID", await clientB.VerifyCodeAsync(afterRecovery));
        Assert.Equal("REVOKED", await clientB.VerifyCodeAsync(cached));
    }

    [Fact]
    public async Task With_storage_down_cached_keys_validate_and_uncached_ones_get_503_never_valid()
    {
        var azurite = await AzuriteInstance.StartAsync();
        var group = (await ServerGroup.CreateAsync()).With("Hokusai:Storage:ConnectionString", azurite.ConnectionString);
        using var server = group.StartServer();
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (_, cached) = await admin.CreateKeyAsync(new { name = "cached" });
        var (_, uncached) = await admin.CreateKeyAsync(new { name = "uncached" });
        var client = server.Client();
        Assert.Equal("VALID", await client.VerifyCodeAsync(cached));

        azurite.Dispose();

        Assert.Equal("VALID", await client.VerifyCodeAsync(cached));
        var (status, body, response) = await client.PostJsonAsync("/api/keys/verify", new { key = uncached });
        Assert.Equal(503, status);
        Assert.Equal("STORAGE_UNAVAILABLE", body!["code"]!.GetValue<string>());
        Assert.NotNull(response.Headers.RetryAfter);
        var authorize = await server.Client(uncached).GetAsync("/api/authorize");
        Assert.Equal(503, (int)authorize.StatusCode);
        Assert.Equal(503, (await client.GetJsonAsync("/api/health")).Status);
    }
}
