using System.Diagnostics;
using System.Text.RegularExpressions;
using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Api.Tests;

/// <summary>
/// Rate limits and quotas: exact across instances (Redis), headers, failure modes, failure throttling. The limiter's
/// tests run on a single Redis and on a Redis Cluster.
/// </summary>
public class RateLimitTests
{
    [Theory]
    [InlineData(RedisTopology.SingleNode)]
    [InlineData(RedisTopology.Cluster)]
    public async Task Two_instances_together_admit_the_limit_plus_what_refilled(RedisTopology redis)
    {
        var group = (await ServerGroup.CreateAsync(redis)).WithPatientRedis();
        using var a = group.StartServer();
        using var b = group.StartServer();
        var admin = a.Client(await a.CreateAdminKeyAsync());
        var (_, key) = await admin.CreateKeyAsync(new { name = "limited", rateLimit = new { limit = 100, windowSeconds = 100 } });
        HttpClient[] clients = [a.Client(key), b.Client(key)];
        // Cache the key on both instances first (costs one request each), so the burst measures the limiter.
        var allowed = 0;
        foreach (var c in clients) if ((int)(await c.GetAsync("/api/authorize")).StatusCode == 204) allowed++;

        var clock = Stopwatch.StartNew();
        var statuses = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(async () => (int)(await clients[i % 2].GetAsync("/api/authorize")).StatusCode)));
        var elapsed = clock.Elapsed.TotalSeconds;
        allowed += statuses.Count(s => s == 204);

        Assert.All(statuses, s => Assert.True(s is 204 or 429, $"status {s}"));
        var refilled = (int)Math.Ceiling(elapsed); // refill is 1 per second
        Assert.InRange(allowed, 100, 102 + refilled);
    }

    [Theory]
    [InlineData(RedisTopology.SingleNode)]
    [InlineData(RedisTopology.Cluster)]
    public async Task Leased_slices_of_large_limits_never_over_admit_and_hold_back_at_most_a_slice_per_instance(RedisTopology redis)
    {
        var group = (await ServerGroup.CreateAsync(redis)).WithPatientRedis();
        using var a = group.StartServer();
        using var b = group.StartServer();
        var admin = a.Client(await a.CreateAdminKeyAsync());
        // 1,000 per 1,000 s: instances lease slices of 10 tokens (1 %) and spend them without a round trip.
        var (_, key) = await admin.CreateKeyAsync(new { name = "large", rateLimit = new { limit = 1000, windowSeconds = 1000 } });
        HttpClient[] clients = [a.Client(key), b.Client(key)];
        var statuses = new int[1400];
        var answeredAt = new double[1400];
        var clock = Stopwatch.StartNew();
        // Many requests in flight on each instance (refills race spends), but not 1,400 at once: that starves a 2-core
        // machine's thread pool, and only measures the machine.
        await Parallel.ForEachAsync(Enumerable.Range(0, statuses.Length), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            statuses[i] = (int)(await clients[i % 2].GetAsync("/api/authorize", ct)).StatusCode;
            answeredAt[i] = clock.Elapsed.TotalSeconds;
        });
        var refilled = (int)Math.Ceiling(clock.Elapsed.TotalSeconds);
        var allowed = statuses.Count(s => s == 204);

        Assert.All(statuses, s => Assert.True(s is 204 or 429, $"status {s}"));
        Assert.Equal(statuses.Length, answeredAt.Count(t => t > 0));
        // Never over-admits, exactly. A lease unused for its lifetime (one second) expires with its tokens: a stall of the
        // test machine that long on an instance can cost a slice more, so each such stall widens the lower bound by one.
        var stalls = Enumerable.Range(0, 2).Sum(instance =>
        {
            var times = answeredAt.Where((_, i) => i % 2 == instance).Order().ToList();
            return times.Zip(times.Skip(1), (earlier, later) => later - earlier).Count(gap => gap >= 0.5);
        });
        Assert.InRange(allowed, 1000 - 2 * 10 - 10 * stalls, 1000 + refilled);
    }

    [Theory]
    [InlineData(RedisTopology.SingleNode)]
    [InlineData(RedisTopology.Cluster)]
    public async Task Refused_requests_carry_an_accurate_Retry_After_and_succeed_after_it(RedisTopology redis)
    {
        using var server = (await ServerGroup.CreateAsync(redis)).StartServer();
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (_, key) = await admin.CreateKeyAsync(new { name = "slow refill", rateLimit = new { limit = 2, windowSeconds = 10 } }); // one token per 5 s
        var client = server.Client(key);
        Assert.Equal(204, (int)(await client.GetAsync("/api/authorize")).StatusCode);
        Assert.Equal(204, (int)(await client.GetAsync("/api/authorize")).StatusCode);

        // The server decided somewhere between these two instants: "not yet" is timed from the first (it is never
        // later than the decision), "now" from the second (never earlier), so a slow answer cannot make either wrong.
        var beforeRefusal = Stopwatch.StartNew();
        var refused = await client.GetAsync("/api/authorize");
        var refusedAt = Stopwatch.StartNew();
        Assert.Equal(429, (int)refused.StatusCode);
        var retryAfter = refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
        Assert.InRange(retryAfter, 4, 6); // 5 s to the next token, rounded up
        var problem = System.Text.Json.Nodes.JsonNode.Parse(await refused.Content.ReadAsStringAsync())!;
        Assert.Equal("RATE_LIMITED", problem["code"]!.GetValue<string>());

        // The real wait is in (retryAfter - 1, retryAfter]: a second before its start leaves room for this request's own latency.
        await Task.Delay(Remaining(TimeSpan.FromSeconds(retryAfter - 2), beforeRefusal));
        Assert.Equal(429, (int)(await client.GetAsync("/api/authorize")).StatusCode); // not yet
        await Task.Delay(Remaining(TimeSpan.FromSeconds(retryAfter + 0.2), refusedAt));
        Assert.Equal(204, (int)(await client.GetAsync("/api/authorize")).StatusCode);
    }

    [Theory]
    [InlineData(RedisTopology.SingleNode)]
    [InlineData(RedisTopology.Cluster)]
    public async Task A_refused_key_is_refused_without_asking_Redis_again_until_its_retry_after_or_a_policy_change(RedisTopology topology)
    {
        // Its own Redis: the test counts every script call Redis executes.
        using var single = topology == RedisTopology.SingleNode ? await RedisInstance.StartAsync() : null;
        using var cluster = topology == RedisTopology.Cluster ? await RedisCluster.StartAsync() : null;
        // Patient Redis: a slow answer on a loaded machine would hand decisions to the failure mode, which is not under test.
        var group = (single is not null ? await ServerGroup.CreateAsync(single) : await ServerGroup.CreateAsync(cluster!)).WithPatientRedis();
        using var server = group.StartServer();
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (_, rateKey) = await admin.CreateKeyAsync(new { name = "one token per 30 s", rateLimit = new { limit = 2, windowSeconds = 60 } });
        var (quotaId, quotaKey) = await admin.CreateKeyAsync(new { name = "two a month", quota = new { limit = 2, period = "month" } });
        var rate = server.Client(rateKey);
        var quota = server.Client(quotaKey);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(204, (int)(await rate.GetAsync("/api/authorize")).StatusCode);
            Assert.Equal(204, (int)(await quota.GetAsync("/api/authorize")).StatusCode);
        }
        var firstRefusal = await rate.GetAsync("/api/authorize");
        Assert.Equal(429, (int)firstRefusal.StatusCode);
        Assert.Equal(429, (int)(await quota.GetAsync("/api/authorize")).StatusCode);
        var callsAfterFirstRefusals = await RedisCommandStats.ScriptCallsAsync(group.RedisConnectionString);

        for (var i = 0; i < 20; i++)
        {
            var refused = await rate.GetAsync("/api/authorize");
            Assert.Equal(429, (int)refused.StatusCode);
            Assert.Equal("RATE_LIMITED", System.Text.Json.Nodes.JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["code"]!.GetValue<string>());
            Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), firstRefusal.Headers.RetryAfter!.Delta!.Value);
            Assert.Equal(429, (int)(await quota.GetAsync("/api/authorize")).StatusCode);
        }
        Assert.Equal(callsAfterFirstRefusals, await RedisCommandStats.ScriptCallsAsync(group.RedisConnectionString));

        // A new policy is a new question: the remembered refusal was for the old one.
        Assert.Equal(200, (await admin.PatchJsonAsync($"/api/keys/{quotaId}", new { quota = new { limit = 3, period = "month" } })).Status);
        var admitted = await quota.GetAsync("/api/authorize");
        Assert.True(admitted.StatusCode == System.Net.HttpStatusCode.NoContent, $"{(int)admitted.StatusCode} {await admitted.Content.ReadAsStringAsync()} {admitted.Headers}");
        Assert.True(await RedisCommandStats.ScriptCallsAsync(group.RedisConnectionString) > callsAfterFirstRefusals);
    }

    private static TimeSpan Remaining(TimeSpan target, Stopwatch since) => target > since.Elapsed ? target - since.Elapsed : TimeSpan.Zero;

    [Theory]
    [InlineData(RedisTopology.SingleNode)]
    [InlineData(RedisTopology.Cluster)]
    public async Task Headers_and_body_agree(RedisTopology redis)
    {
        using var server = (await ServerGroup.CreateAsync(redis)).StartServer();
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (_, key) = await admin.CreateKeyAsync(new
        {
            name = "both", rateLimit = new { limit = 10, windowSeconds = 60 }, quota = new { limit = 1000, period = "day" },
        });
        var (status, body, response) = await server.Client().PostJsonAsync("/api/keys/verify", new { key, cost = 3 });
        Assert.Equal(200, status);
        Assert.Equal("VALID", body!["code"]!.GetValue<string>());
        Assert.Equal(10, body["rateLimit"]!["limit"]!.GetValue<long>());
        Assert.Equal(7, body["rateLimit"]!["remaining"]!.GetValue<long>());
        Assert.Equal(1000, body["quota"]!["limit"]!.GetValue<long>());
        Assert.Equal(997, body["quota"]!["remaining"]!.GetValue<long>());

        var policy = response.Headers.GetValues("RateLimit-Policy").Single();
        var state = response.Headers.GetValues("RateLimit").Single();
        Assert.Equal("\"rate\";q=10;w=60, \"quota\";q=1000;w=86400", policy);
        var match = Regex.Match(state, "^\"rate\";r=(\\d+);t=(\\d+), \"quota\";r=(\\d+);t=(\\d+)$");
        Assert.True(match.Success, state);
        Assert.Equal("7", match.Groups[1].Value);
        Assert.Equal(body["rateLimit"]!["resetSeconds"]!.GetValue<int>(), int.Parse(match.Groups[2].Value));
        Assert.Equal("997", match.Groups[3].Value);

        var authorize = await server.Client(key).GetAsync("/api/authorize");
        Assert.Equal(204, (int)authorize.StatusCode);
        Assert.StartsWith("\"rate\";r=6;", authorize.Headers.GetValues("RateLimit").Single());
    }

    [Theory]
    [InlineData(RedisTopology.SingleNode)]
    [InlineData(RedisTopology.Cluster)]
    public async Task A_quota_admits_exactly_its_limit_and_a_rotation_continues_the_count(RedisTopology redis)
    {
        using var server = (await ServerGroup.CreateAsync(redis)).StartServer();
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var client = server.Client();
        var (oldId, oldKey) = await admin.CreateKeyAsync(new { name = "metered", quota = new { limit = 50, period = "day" } });

        var codes = new List<string>();
        for (var i = 0; i < 12; i++) codes.Add((await client.PostJsonAsync("/api/keys/verify", new { key = oldKey, cost = 5 })).Body!["code"]!.GetValue<string>());
        Assert.Equal(10, codes.Count(c => c == "VALID"));
        Assert.Equal(2, codes.Count(c => c == "QUOTA_EXCEEDED"));
        var exceeded = (await client.PostJsonAsync("/api/keys/verify", new { key = oldKey, cost = 5 })).Body!;
        Assert.True(exceeded["retryAfterSeconds"]!.GetValue<int>() >= 1);

        // Raise the quota a little, rotate, and use the successor: it continues the same count.
        await admin.PatchJsonAsync($"/api/keys/{oldId}", new { quota = new { limit = 60, period = "day" } });
        var rotated = (await admin.PostJsonAsync($"/api/keys/{oldId}/rotate", new { gracePeriodSeconds = 60 })).Body!;
        var newKey = rotated["key"]!["key"]!.GetValue<string>();
        Assert.Equal(60, rotated["key"]!["quota"]!["limit"]!.GetValue<long>());
        var next = new List<string>();
        for (var i = 0; i < 4; i++) next.Add((await client.PostJsonAsync("/api/keys/verify", new { key = newKey, cost = 5 })).Body!["code"]!.GetValue<string>());
        Assert.Equal(["VALID", "VALID", "QUOTA_EXCEEDED", "QUOTA_EXCEEDED"], next);
    }

    [Theory]
    [InlineData(RedisTopology.SingleNode)]
    [InlineData(RedisTopology.Cluster)]
    public async Task Crossing_80_and_100_percent_of_a_quota_is_recorded_once_each(RedisTopology redis)
    {
        var sink = new CountingThresholdSink();
        using var server = (await ServerGroup.CreateAsync(redis)).StartServer(sink.Install);
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (id, key) = await admin.CreateKeyAsync(new { name = "metered", quota = new { limit = 10, period = "month" } });
        var client = server.Client();
        for (var i = 0; i < 15; i++) await client.VerifyCodeAsync(key); // 10 allowed, then refused

        // Wait on the sink seam, not a guessed delay: the validator hands each crossing to the sink during the request.
        var deadline = Stopwatch.StartNew();
        while (sink.Completed < 2 && deadline.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(10);
        Assert.Equal(2, sink.Completed);
        Assert.Equal(2, sink.Called); // once each: the validator reported no crossing twice
        var percents = (await admin.GetJsonAsync($"/api/keys/{id}/events")).Body!["items"]!.AsArray()
            .Where(e => e!["type"]!.GetValue<string>() == "key.quota_threshold")
            .Select(e => e!["data"]!["percent"]!.GetValue<string>()).ToList();
        Assert.Equal(["100", "80"], percents.Order().ToList());
    }

    [Theory]
    [InlineData(RedisTopology.SingleNode)]
    [InlineData(RedisTopology.Cluster)]
    public async Task Refused_keys_consume_nothing_and_cost_zero_only_checks(RedisTopology redis)
    {
        using var server = (await ServerGroup.CreateAsync(redis)).StartServer();
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (_, key) = await admin.CreateKeyAsync(new { name = "scoped", scopes = new[] { "a" }, rateLimit = new { limit = 3, windowSeconds = 3600 } });
        var client = server.Client();
        for (var i = 0; i < 5; i++) Assert.Equal("INSUFFICIENT_SCOPE", await client.VerifyCodeAsync(key, scopes: ["b"]));
        var check = (await client.PostJsonAsync("/api/keys/verify", new { key, cost = 0 })).Body!;
        Assert.Equal(3, check["rateLimit"]!["remaining"]!.GetValue<long>());
        for (var i = 0; i < 3; i++) Assert.Equal("VALID", await client.VerifyCodeAsync(key));
        Assert.Equal("RATE_LIMITED", await client.VerifyCodeAsync(key));
    }

    [Fact]
    public async Task Failed_verifications_per_address_are_throttled()
    {
        using var server = (await ServerGroup.CreateAsync()).With("Hokusai:RateLimiting:FailuresPerIpPerMinute", "5").StartServer();
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (_, key) = await admin.CreateKeyAsync(new { name = "innocent" });
        var attacker = server.Client(peer: "198.51.100.66");
        for (var i = 0; i < 5; i++)
        {
            var bad = new HttpRequestMessage(HttpMethod.Get, "/api/authorize");
            bad.Headers.Authorization = new("Bearer", Domain.ApiKeyFormat.Generate(Domain.KeyEnvironment.Live).Plaintext);
            Assert.Equal(401, (int)(await attacker.SendAsync(bad)).StatusCode);
        }
        var blocked = new HttpRequestMessage(HttpMethod.Get, "/api/authorize");
        blocked.Headers.Authorization = new("Bearer", key);
        var response = await attacker.SendAsync(blocked);
        Assert.Equal(429, (int)response.StatusCode);
        Assert.Contains("TOO_MANY_FAILURES", await response.Content.ReadAsStringAsync());
        Assert.NotNull(response.Headers.RetryAfter);

        Assert.Equal(204, (int)(await server.Client(key, peer: "203.0.113.5").GetAsync("/api/authorize")).StatusCode);
        // Once cached, the key is answered even to the blocked address (docs/security.md); guesses are still refused.
        Assert.Equal("VALID", await server.Client(peer: "198.51.100.66").VerifyCodeAsync(key));
        var (status, body, _) = await server.Client(peer: "198.51.100.66").PostJsonAsync("/api/keys/verify", new { key = Domain.ApiKeyFormat.Generate(Domain.KeyEnvironment.Live).Plaintext });
        Assert.Equal(429, status);
        Assert.Equal("TOO_MANY_FAILURES", body!["code"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("local")]
    [InlineData("fail-open")]
    [InlineData("fail-closed")]
    public async Task With_Redis_down_the_configured_failure_mode_decides(string mode)
    {
        using var redis = await RedisInstance.StartAsync();
        var group = (await ServerGroup.CreateAsync(redis))
            .With("Hokusai:RateLimiting:FailureMode", mode)
            .With("Hokusai:RateLimiting:ExpectedInstanceCount", "2");
        using var server = group.StartServer();
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (_, key) = await admin.CreateKeyAsync(new { name = "limited", rateLimit = new { limit = 10, windowSeconds = 3600 } });
        var client = server.Client(key);
        Assert.Equal(204, (int)(await client.GetAsync("/api/authorize")).StatusCode); // cached, one token used in Redis

        redis.Stop();
        var statuses = new List<int>();
        for (var i = 0; i < 12; i++) statuses.Add((int)(await client.GetAsync("/api/authorize")).StatusCode);

        switch (mode)
        {
            case "local": // this instance's share: 10 ÷ 2 = 5
                Assert.Equal(5, statuses.Count(s => s == 204));
                Assert.Equal(7, statuses.Count(s => s == 429));
                break;
            case "fail-open":
                Assert.All(statuses, s => Assert.Equal(204, s));
                break;
            default:
                Assert.All(statuses, s => Assert.Equal(503, s));
                break;
        }
    }

    /// <summary>Counts the validator's calls to the quota-threshold sink around the registered one.</summary>
    private sealed class CountingThresholdSink
    {
        private int _called, _completed;
        public int Called => Volatile.Read(ref _called);
        public int Completed => Volatile.Read(ref _completed);

        public void Install(Microsoft.Extensions.DependencyInjection.IServiceCollection services)
        {
            var registered = services.Last(d => d.ServiceType == typeof(Usage.IQuotaThresholdSink));
            services.Remove(registered);
            Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<Usage.IQuotaThresholdSink>(services, sp =>
                new Counting((Usage.IQuotaThresholdSink)(registered.ImplementationInstance
                    ?? registered.ImplementationFactory?.Invoke(sp)
                    ?? Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance(sp, registered.ImplementationType!)), this));
        }

        private sealed class Counting(Usage.IQuotaThresholdSink inner, CountingThresholdSink counts) : Usage.IQuotaThresholdSink
        {
            public async ValueTask QuotaThresholdCrossedAsync(Usage.QuotaThreshold threshold, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref counts._called);
                try { await inner.QuotaThresholdCrossedAsync(threshold, cancellationToken); }
                finally { Interlocked.Increment(ref counts._completed); }
            }
        }
    }
}
