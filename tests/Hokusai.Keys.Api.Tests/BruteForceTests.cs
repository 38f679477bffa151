using System.Collections.Concurrent;
using System.Diagnostics;
using Hokusai.Keys.Testing;
using Hokusai.Keys.Usage;
using Microsoft.Extensions.DependencyInjection;

namespace Hokusai.Keys.Api.Tests;

/// <summary>
/// Guessing and flooding cost the attacker, not the platform (docs/security.md, "Throttling and brute force"):
/// failure throttling keys on the caller, bcrypt work is bounded per key id and in concurrency, and a forged key costs
/// the same whether or not its id exists.
/// </summary>
public class BruteForceTests
{
    private static string Forged(string? keyId = null) => Domain.ApiKeyFormat.Generate(Domain.KeyEnvironment.Live, keyId).Plaintext;

    [Fact]
    public async Task A_body_ip_per_request_does_not_spread_guesses_over_addresses()
    {
        using var server = (await ServerGroup.CreateAsync()).StartServer();
        var attacker = server.Client(peer: "198.51.100.66");
        var statuses = new List<int>();
        for (var i = 0; i < 300; i++)
            statuses.Add((await attacker.PostJsonAsync("/api/keys/verify", new { key = Forged(), ip = $"10.{i / 250}.{i % 250}.1" })).Status);

        // 100 failures a minute per caller (plus what refilled while the test ran): the rest are throttled.
        Assert.All(statuses, s => Assert.True(s is 200 or 429, $"status {s}"));
        Assert.InRange(statuses.Count(s => s == 429), 150, 200);
    }

    [Fact]
    public async Task Junk_verifies_naming_someone_elses_address_do_not_lock_it_out()
    {
        using var server = (await ServerGroup.CreateAsync()).StartServer();
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (_, key) = await admin.CreateKeyAsync(new { name = "victim's" });
        const string victim = "203.0.113.5";
        var attacker = server.Client(peer: "198.51.100.66");
        // Until the attacker itself is throttled (110 failures would do, but on a slow machine the bucket refills meanwhile).
        var throttled = false;
        for (var i = 0; i < 400 && !throttled; i++)
            throttled = (await attacker.PostJsonAsync("/api/keys/verify", new { key = Forged(), ip = victim })).Status == 429;
        Assert.True(throttled, "the attacker was never throttled");

        var own = server.Client(peer: victim);
        Assert.Equal("VALID", await own.VerifyCodeAsync(key));
        Assert.Equal("VALID", await own.VerifyCodeAsync(key, ip: victim));
        Assert.Equal(204, (int)(await server.Client(key, peer: victim).GetAsync("/api/authorize")).StatusCode);
        // The attacker itself is throttled (for every key the cache does not vouch for).
        Assert.Equal(429, (await attacker.PostJsonAsync("/api/keys/verify", new { key = Forged() })).Status);
    }

    [Fact]
    public async Task Behind_a_trusted_gateway_one_abusive_end_user_locks_out_only_itself_until_the_gateway_budget()
    {
        using var server = (await ServerGroup.CreateAsync())
            .With("Hokusai:Network:TrustedGateways", "10.9.0.0/16")
            .With("Hokusai:RateLimiting:FailuresPerIpPerMinute", "5")
            .With("Hokusai:RateLimiting:FailuresPerGatewayPerMinute", "12")
            .StartServer();
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (_, key) = await admin.CreateKeyAsync(new { name = "behind gateway" });
        var gateway = server.Client(peer: "10.9.0.1");

        for (var i = 0; i < 5; i++) Assert.Equal("NOT_FOUND", await gateway.VerifyCodeAsync(Forged(), ip: "198.51.100.7"));
        Assert.Equal(429, (await gateway.PostJsonAsync("/api/keys/verify", new { key = Forged(), ip = "198.51.100.7" })).Status);
        Assert.Equal("VALID", await gateway.VerifyCodeAsync(key, ip: "198.51.100.8"));

        // Many end users together still meet the gateway's own (larger) budget: 5 failures so far, 7 more allowed.
        var statuses = new List<int>();
        for (var i = 0; i < 12; i++)
            statuses.Add((await gateway.PostJsonAsync("/api/keys/verify", new { key = Forged(), ip = $"192.0.2.{i + 1}" })).Status);
        Assert.InRange(statuses.Count(s => s == 429), 4, 5);

        // A caller that is not a trusted gateway is counted as itself, whatever its body says.
        var plain = server.Client(peer: "10.10.0.1");
        for (var i = 0; i < 5; i++) await plain.PostJsonAsync("/api/keys/verify", new { key = Forged(), ip = $"192.0.2.{i + 100}" });
        Assert.Equal(429, (await plain.PostJsonAsync("/api/keys/verify", new { key = Forged(), ip = "192.0.2.200" })).Status);
    }

    [Fact]
    public async Task Management_routes_count_failed_authentications_against_the_caller()
    {
        using var server = (await ServerGroup.CreateAsync()).With("Hokusai:RateLimiting:FailuresPerIpPerMinute", "5").StartServer();
        var adminKey = await server.CreateAdminKeyAsync();
        for (var i = 0; i < 5; i++)
            Assert.Equal(401, (int)(await server.Client(Forged(), peer: "198.51.100.66").GetAsync("/api/keys")).StatusCode);

        var blocked = await server.Client(adminKey, peer: "198.51.100.66").GetAsync("/api/keys");
        Assert.Equal(429, (int)blocked.StatusCode);
        Assert.Contains("TOO_MANY_FAILURES", await blocked.Content.ReadAsStringAsync());
        Assert.NotNull(blocked.Headers.RetryAfter);
        Assert.Equal(200, (int)(await server.Client(adminKey, peer: "203.0.113.5").GetAsync("/api/keys")).StatusCode);
    }

    [Fact]
    public async Task Past_a_key_ids_budget_wrong_secrets_cost_no_bcrypt_and_a_cached_key_stays_valid()
    {
        var group = (await ServerGroup.CreateAsync()).With("Hokusai:RateLimiting:SecretChecksPerKeyIdPerMinute", "3");
        using var creator = group.StartServer();
        var admin = creator.Client(await creator.CreateAdminKeyAsync());
        var (usedId, used) = await admin.CreateKeyAsync(new { name = "in use" });
        var (idleId, idle) = await admin.CreateKeyAsync(new { name = "idle" });

        var counter = new CallCounter();
        using var server = group.StartServer(counter.Install);
        var client = server.Client();
        Assert.Equal("VALID", await client.VerifyCodeAsync(used)); // one bcrypt, now cached
        Assert.Equal(1, counter.BcryptVerifications);

        for (var i = 0; i < 20; i++) Assert.Equal("NOT_FOUND", await client.VerifyCodeAsync(Forged(usedId)));
        Assert.Equal(3, counter.BcryptVerifications); // the budget of 3 (the right secret took one)
        Assert.Equal("VALID", await client.VerifyCodeAsync(used));

        for (var i = 0; i < 20; i++) Assert.Equal("NOT_FOUND", await client.VerifyCodeAsync(Forged(idleId)));
        Assert.Equal(6, counter.BcryptVerifications);
        // The trade-off: until the budget refills, an uncached key's right secret is not checked either.
        Assert.Equal("NOT_FOUND", await client.VerifyCodeAsync(idle));
        Assert.Equal(6, counter.BcryptVerifications);
    }

    [Fact]
    public async Task A_forged_key_costs_one_bcrypt_whether_or_not_its_id_exists()
    {
        var group = await ServerGroup.CreateAsync();
        using var creator = group.StartServer();
        var admin = creator.Client(await creator.CreateAdminKeyAsync());
        var (uncachedId, _) = await admin.CreateKeyAsync(new { name = "uncached" });
        var (cachedId, cached) = await admin.CreateKeyAsync(new { name = "cached" });

        var counter = new CallCounter();
        using var server = group.StartServer(counter.Install);
        var client = server.Client();
        Assert.Equal("VALID", await client.VerifyCodeAsync(cached));

        async Task<int> BcryptsFor(string key)
        {
            var before = counter.BcryptVerifications;
            Assert.Equal("NOT_FOUND", await client.VerifyCodeAsync(key));
            return counter.BcryptVerifications - before;
        }

        var missingId = Domain.ApiKeyFormat.Generate(Domain.KeyEnvironment.Live).KeyId;
        Assert.Equal(1, await BcryptsFor(Forged(missingId)));   // no such key
        Assert.Equal(1, await BcryptsFor(Forged(missingId)));   // no such key, now in the negative cache
        Assert.Equal(1, await BcryptsFor(Forged(uncachedId)));  // a key not cached here
        Assert.Equal(1, await BcryptsFor(Forged(cachedId)));    // a cached key: its digest alone would refuse it
        // The same wrong secret again is remembered in each case.
        var repeated = new[] { Forged(missingId), Forged(uncachedId), Forged(cachedId) };
        foreach (var key in repeated) Assert.Equal(1, await BcryptsFor(key));
        foreach (var key in repeated) Assert.Equal(0, await BcryptsFor(key));
    }

    [Fact]
    public async Task Forged_keys_for_existing_and_missing_ids_take_the_same_time()
    {
        // A cost where one bcrypt is clearly above the noise of a loaded machine; the structural proof is the test above.
        var group = (await ServerGroup.CreateAsync()).With("Hokusai:Security:BcryptWorkFactor", "8");
        using var creator = group.StartServer();
        var admin = creator.Client(await creator.CreateAdminKeyAsync());
        var existing = new List<string>();
        for (var i = 0; i < 11; i++) existing.Add((await admin.CreateKeyAsync(new { name = "timed" })).Id);

        using var server = group.StartServer();
        var client = server.Client();
        Assert.Equal("NOT_FOUND", await client.VerifyCodeAsync(Forged())); // warm up (the decoy hash is made once)
        var known = new List<double>();
        var unknown = new List<double>();
        foreach (var id in existing)
        {
            known.Add(await TimeAsync(() => client.VerifyCodeAsync(Forged(id))));
            unknown.Add(await TimeAsync(() => client.VerifyCodeAsync(Forged())));
        }

        var ratio = Median(known) / Median(unknown);
        Assert.True(ratio is > 0.5 and < 2, $"median existing {Median(known):F1} ms, missing {Median(unknown):F1} ms");
    }

    [Fact]
    public async Task A_full_bcrypt_queue_answers_503_at_once_and_cached_keys_are_still_served()
    {
        var group = (await ServerGroup.CreateAsync())
            .With("Hokusai:Security:BcryptConcurrency", "1")
            .With("Hokusai:Security:BcryptQueueLength", "1");
        var counter = new CallCounter();
        using var server = group.StartServer(counter.Install);
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (_, key) = await admin.CreateKeyAsync(new { name = "cached" });
        Assert.Equal(204, (int)(await server.Client(key).GetAsync("/api/authorize")).StatusCode);

        counter.VerifyDelay = TimeSpan.FromSeconds(1);
        var flood = Enumerable.Range(0, 12).Select(i => server.Client(peer: $"198.51.100.{i + 1}").GetAsync("/api/authorize", Forged())).ToList();
        var served = await server.Client(key).GetAsync("/api/authorize");
        var statuses = (await Task.WhenAll(flood)).Select(r => (int)r.StatusCode).ToList();

        Assert.Equal(204, (int)served.StatusCode);
        Assert.All(statuses, s => Assert.True(s is 401 or 503, $"status {s}"));
        Assert.True(statuses.Count(s => s == 503) >= 8, string.Join(",", statuses));
        var busy = await Task.WhenAll(flood.Where(r => (int)r.Result.StatusCode == 503).Select(r => r.Result.Content.ReadAsStringAsync()));
        Assert.All(busy, body => Assert.Contains("VERIFICATION_BUSY", body));
    }

    [Fact]
    public async Task Usage_is_recorded_only_for_keys_that_exist()
    {
        var recorded = new ConcurrentQueue<UsageEvent>();
        using var server = (await ServerGroup.CreateAsync()).StartServer(services => services.AddSingleton<IUsageRecorder>(new CapturingRecorder(recorded)));
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (id, key) = await admin.CreateKeyAsync(new { name = "metered" });
        var client = server.Client();

        var unknownIds = Enumerable.Range(0, 5).Select(_ => Domain.ApiKeyFormat.Generate(Domain.KeyEnvironment.Live).KeyId).ToList();
        foreach (var unknown in unknownIds) Assert.Equal("NOT_FOUND", await client.VerifyCodeAsync(Forged(unknown)));
        Assert.Equal(204, (int)(await server.Client(Forged(), peer: "198.51.100.9").GetAsync("/api/authorize")).StatusCode is 401 ? 204 : 0);
        Assert.Equal("VALID", await client.VerifyCodeAsync(key));
        Assert.Equal("NOT_FOUND", await client.VerifyCodeAsync(Forged(id))); // a wrong secret for a real key may be recorded

        Assert.DoesNotContain(recorded, e => e.KeyId != id);
        Assert.Contains(recorded, e => e.KeyId == id && e.Code == "VALID");
    }

    private sealed class CapturingRecorder(ConcurrentQueue<UsageEvent> recorded) : IUsageRecorder
    {
        public void Record(UsageEvent usage) => recorded.Enqueue(usage);
    }

    private static async Task<double> TimeAsync(Func<Task<string>> call)
    {
        var clock = Stopwatch.StartNew();
        Assert.Equal("NOT_FOUND", await call());
        return clock.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}

internal static class AuthorizeWith
{
    /// <summary>GET /api/authorize with <paramref name="key"/> as the bearer key.</summary>
    public static Task<HttpResponseMessage> GetAsync(this HttpClient client, string path, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new("Bearer", key);
        return client.SendAsync(request);
    }
}
