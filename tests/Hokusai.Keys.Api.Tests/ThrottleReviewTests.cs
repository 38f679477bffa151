using System.Collections.Concurrent;
using Hokusai.Keys.Testing;
using Hokusai.Keys.Usage;
using Microsoft.Extensions.DependencyInjection;

namespace Hokusai.Keys.Api.Tests;

/// <summary>
/// Regression tests from an attacker's review of the throttles (docs/security.md, "Throttling and brute force"): a key
/// id's bcrypt budget cannot lock its owner out, a full bcrypt queue is no way around the caller throttle, IPv6 callers
/// are throttled per /64, a blocked caller keeps its cached keys, and a forged key adds nothing to a victim's usage.
/// The throttles count in process; the tests where they meet the shared cache (a change's eviction and reload, a cached
/// key answered to a blocked caller) run on a single Redis and on a Redis Cluster.
/// </summary>
public class ThrottleReviewTests
{
    private static string Forged(string? keyId = null) => Domain.ApiKeyFormat.Generate(Domain.KeyEnvironment.Live, keyId).Plaintext;

    [Theory]
    [InlineData(RedisTopology.SingleNode)]
    [InlineData(RedisTopology.Cluster)]
    public async Task A_spent_key_id_budget_does_not_lock_out_the_owners_verified_secret_nor_the_owners_caller(RedisTopology topology)
    {
        var group = (await ServerGroup.CreateAsync(topology))
            .With("Hokusai:RateLimiting:SecretChecksPerKeyIdPerMinute", "3")
            .With("Hokusai:RateLimiting:FailuresPerIpPerMinute", "5");
        var counter = new CallCounter();
        using var server = group.StartServer(counter.Install);
        var admin = server.Client(await server.CreateAdminKeyAsync(), peer: "203.0.113.1");
        var (id, key) = await admin.CreateKeyAsync(new { name = "victim's" });
        var (otherId, other) = await admin.CreateKeyAsync(new { name = "victim's other" });
        var owner = server.Client(peer: "203.0.113.5");
        Assert.Equal("VALID", await owner.VerifyCodeAsync(key));
        var afterFirstUse = counter.BcryptVerifications;

        // The attacker spends the id's budget (its refusals past the budget cost nothing and are not its failures).
        var attacker = server.Client(peer: "198.51.100.66");
        for (var i = 0; i < 10; i++) await attacker.PostJsonAsync("/api/keys/verify", new { key = Forged(id) });
        Assert.Equal(afterFirstUse + 2, counter.BcryptVerifications);

        // A management change evicts the key everywhere: its next use is a reload, which needs no bcrypt and no budget.
        Assert.Equal(200, (await admin.PatchJsonAsync($"/api/keys/{id}", new { name = "renamed" })).Status);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("VALID", await owner.VerifyCodeAsync(key));
            Assert.Equal(200, (await admin.PatchJsonAsync($"/api/keys/{id}", new { name = $"renamed {i}" })).Status);
        }
        Assert.Equal(afterFirstUse + 2, counter.BcryptVerifications);

        // A secret never verified here is still not checked past the budget, but the refusal is not the owner's failure.
        for (var i = 0; i < 10; i++) await attacker.PostJsonAsync("/api/keys/verify", new { key = Forged(otherId) });
        for (var i = 0; i < 8; i++) Assert.Equal("NOT_FOUND", await owner.VerifyCodeAsync(other));
        var (ownId, own) = await admin.CreateKeyAsync(new { name = "victim's third" });
        Assert.Equal("VALID", await owner.VerifyCodeAsync(own));
        Assert.NotNull(ownId);
    }

    [Fact]
    public async Task While_the_bcrypt_queue_is_full_forged_keys_cost_no_storage_read_and_the_caller_is_throttled()
    {
        using var gate = new ManualResetEventSlim(false); // declared first: disposed after the server
        var group = (await ServerGroup.CreateAsync())
            .With("Hokusai:Security:BcryptConcurrency", "1")
            .With("Hokusai:Security:BcryptQueueLength", "1")
            .With("Hokusai:RateLimiting:FailuresPerIpPerMinute", "5");
        var counter = new CallCounter();
        using var server = group.StartServer(counter.Install);
        var attacker = server.Client(peer: "198.51.100.66");
        counter.VerifyGate = gate;
        var fillers = new List<Task<HttpResponseMessage>>();
        try
        {
            // One forged key held in bcrypt by the gate, one waiting in the queue (its storage read shows it has its place).
            fillers.Add(server.Client(peer: "192.0.2.1").GetAsync("/api/authorize", Forged()));
            await WaitUntilAsync(() => counter.BcryptVerifications == 1);
            fillers.Add(server.Client(peer: "192.0.2.2").GetAsync("/api/authorize", Forged()));
            await WaitUntilAsync(() => counter.KeyReads == 2);

            var statuses = new List<int>();
            for (var i = 0; i < 10; i++)
                statuses.Add((int)(await attacker.GetAsync("/api/authorize", Forged()).WaitAsync(TimeSpan.FromSeconds(30))).StatusCode);

            Assert.Equal(2, counter.KeyReads);
            // VERIFICATION_BUSY counts against the caller: past its budget of failures it is throttled.
            Assert.All(statuses.Take(5), s => Assert.Equal(503, s));
            Assert.All(statuses.Skip(6), s => Assert.Equal(429, s));
        }
        finally
        {
            gate.Set();
            await Task.WhenAll(fillers);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); !condition(); await Task.Delay(10))
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 30 s");
    }

    [Fact]
    public async Task Ipv6_callers_are_throttled_per_64_and_ipv4_mapped_addresses_as_ipv4()
    {
        using var server = (await ServerGroup.CreateAsync()).With("Hokusai:RateLimiting:FailuresPerIpPerMinute", "5").StartServer();
        for (var i = 0; i < 5; i++)
            Assert.Equal("NOT_FOUND", await server.Client(peer: $"2001:db8:7:9:{i + 1:x}::{i + 7:x}").VerifyCodeAsync(Forged()));
        Assert.Equal(429, (await server.Client(peer: "2001:db8:7:9:ffff::1").PostJsonAsync("/api/keys/verify", new { key = Forged() })).Status);
        Assert.Equal("NOT_FOUND", await server.Client(peer: "2001:db8:7:a::1").VerifyCodeAsync(Forged())); // the next /64

        for (var i = 0; i < 5; i++) Assert.Equal("NOT_FOUND", await server.Client(peer: "::ffff:198.51.100.9").VerifyCodeAsync(Forged()));
        Assert.Equal(429, (await server.Client(peer: "198.51.100.9").PostJsonAsync("/api/keys/verify", new { key = Forged() })).Status);
    }

    [Theory]
    [InlineData(RedisTopology.SingleNode)]
    [InlineData(RedisTopology.Cluster)]
    public async Task A_blocked_caller_keeps_its_cached_keys_and_is_refused_only_where_bcrypt_would_run(RedisTopology topology)
    {
        using var server = (await ServerGroup.CreateAsync(topology)).With("Hokusai:RateLimiting:FailuresPerIpPerMinute", "5").StartServer();
        var adminKey = await server.CreateAdminKeyAsync();
        const string shared = "198.51.100.66"; // one NAT address for the tenant that guesses and the admin
        var admin = server.Client(adminKey, peer: shared);
        var (id, key) = await admin.CreateKeyAsync(new { name = "cached" });
        var caller = server.Client(peer: shared);
        Assert.Equal("VALID", await caller.VerifyCodeAsync(key));

        for (var i = 0; i < 5; i++) Assert.Equal("NOT_FOUND", await caller.VerifyCodeAsync(Forged()));

        Assert.Equal("VALID", await caller.VerifyCodeAsync(key));
        Assert.Equal(204, (int)(await server.Client(key, peer: shared).GetAsync("/api/authorize")).StatusCode);
        Assert.Equal(200, (int)(await admin.GetAsync("/api/keys")).StatusCode);
        Assert.Equal(429, (await caller.PostJsonAsync("/api/keys/verify", new { key = Forged() })).Status);
        Assert.Equal(429, (await caller.PostJsonAsync("/api/keys/verify", new { key = Forged(id) })).Status);
        Assert.Equal(429, (int)(await server.Client(Forged(), peer: shared).GetAsync("/api/keys")).StatusCode);
    }

    [Fact]
    public async Task A_forged_key_for_a_known_id_adds_no_cost_to_its_usage()
    {
        var recorded = new ConcurrentQueue<UsageEvent>();
        using var server = (await ServerGroup.CreateAsync()).StartServer(services => services.AddSingleton<IUsageRecorder>(new CapturingRecorder(recorded)));
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (id, key) = await admin.CreateKeyAsync(new { name = "metered" });
        var client = server.Client();
        Assert.Equal(200, (await client.PostJsonAsync("/api/keys/verify", new { key, cost = 7 })).Status);
        Assert.Equal(200, (await client.PostJsonAsync("/api/keys/verify", new { key = Forged(id), cost = 1000 })).Status);

        Assert.Contains(recorded, e => e.KeyId == id && e.Code == "VALID" && e.Cost == 7);
        var refused = Assert.Single(recorded, e => e.KeyId == id && e.Code == "NOT_FOUND");
        Assert.Equal(0, refused.Cost);
    }

    private sealed class CapturingRecorder(ConcurrentQueue<UsageEvent> recorded) : IUsageRecorder
    {
        public void Record(UsageEvent usage) => recorded.Enqueue(usage);
    }
}
