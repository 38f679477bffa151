using System.Text;
using Azure.Core;
using Hokusai.Keys.Azure.Caching;
using Hokusai.Keys.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace Hokusai.Keys.Azure.Tests;

/// <summary>
/// Entra ID sign-in to Redis (user = the token's oid, password = the token), against a real redis-server whose ACL user
/// stands in for the managed identity: its password is rotated to each new token as Azure Managed Redis would accept it.
/// </summary>
public sealed class RedisTokenAuthenticationTests
{
    private const string ObjectId = "6f1c2a3b-0000-4c1d-9e2f-123456789abc";

    [Fact]
    public void Renewal_comes_at_the_tokens_refresh_time_or_after_three_quarters_of_its_lifetime()
    {
        var now = new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromMinutes(45), RedisTokenAuthentication.RenewalDelay(now, new AccessToken("t", now.AddHours(1))));
        Assert.Equal(TimeSpan.FromMinutes(30), RedisTokenAuthentication.RenewalDelay(now, new AccessToken("t", now.AddHours(1), now.AddMinutes(30))));
        Assert.Equal(TimeSpan.FromSeconds(1), RedisTokenAuthentication.RenewalDelay(now, new AccessToken("t", now.AddSeconds(-5))));
    }

    [Fact]
    public void The_user_name_is_the_oid_claim_of_the_token()
    {
        Assert.Equal(ObjectId, RedisTokenAuthentication.ObjectId(FakeRedisCredential.Jwt(ObjectId, 1)));
        Assert.Throws<InvalidOperationException>(() => RedisTokenAuthentication.ObjectId("not-a-jwt"));
    }

    [Fact]
    public async Task A_renewed_token_re_authenticates_the_live_connection_and_a_reconnect_uses_it()
    {
        using var redis = await RedisInstance.StartAsync();
        await using var admin = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},allowAdmin=true");
        var adminServer = admin.GetServer(admin.GetEndPoints()[0]);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero));
        var credential = new FakeRedisCredential(ObjectId, time, TimeSpan.FromHours(1));
        // The identity's ACL user accepts exactly the token the credential will hand out next (the default user is for the test only).
        await adminServer.ExecuteAsync("ACL", "SETUSER", ObjectId, "on", ">" + credential.Peek(), "~*", "&*", "+@all");

        await using var connection = new RedisConnection(
            new RedisOptions { ConnectionString = redis.ConnectionString, KeyPrefix = "auth", TimeoutMilliseconds = 5000 },
            credential, time, NullLogger.Instance);
        var multiplexer = await connection.GetAsync();
        var server = multiplexer.GetServer(multiplexer.GetEndPoints()[0]);
        Assert.Equal(ObjectId, (string?)await server.ExecuteAsync("ACL", "WHOAMI"));
        await multiplexer.GetDatabase().StringSetAsync("auth:probe", "1");
        var clientId = (long)await server.ExecuteAsync("CLIENT", "ID");
        // Subscriptions (the backplane) ride on the same connection, so the renewal's AUTH covers them too.
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await multiplexer.GetSubscriber().SubscribeAsync(RedisChannel.Literal("auth:channel"), (_, message) => received.TrySetResult(message!));
        Assert.Equal(1, await ConnectionsOfAsync(adminServer, ObjectId));

        // Rotate: only the next token is accepted from now on; live connections stay signed in (as in Azure until expiry).
        var next = credential.Peek();
        await adminServer.ExecuteAsync("ACL", "SETUSER", ObjectId, "resetpass", ">" + next);
        await adminServer.ExecuteAsync("CONFIG", "RESETSTAT");

        time.Advance(TimeSpan.FromMinutes(44));
        Assert.Equal(0, connection.Authentication!.Renewals); // 3/4 of the hour not reached yet
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.True(await Http.EventuallyAsync(() => Task.FromResult(connection.Authentication.Renewals == 1 && AuthCalls(adminServer).Calls >= 1), TimeSpan.FromSeconds(10)),
            $"renewals {connection.Authentication.Renewals}, AUTH calls {AuthCalls(adminServer)}");
        Assert.Equal(0, AuthCalls(adminServer).Failed);
        // Same connection (no reconnect), still working, still the identity.
        Assert.Equal(clientId, (long)await server.ExecuteAsync("CLIENT", "ID"));
        Assert.Equal("1", (string?)await multiplexer.GetDatabase().StringGetAsync("auth:probe"));
        Assert.Equal(ObjectId, (string?)await server.ExecuteAsync("ACL", "WHOAMI"));
        await adminServer.Multiplexer.GetSubscriber().PublishAsync(RedisChannel.Literal("auth:channel"), "after renewal");
        Assert.Equal("after renewal", await received.Task.WaitAsync(TimeSpan.FromSeconds(10)));

        // A dropped connection comes back with the renewed token (the first one is refused by now).
        var restored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        multiplexer.ConnectionRestored += (_, e) => { if (e.ConnectionType == ConnectionType.Interactive) restored.TrySetResult(); };
        await adminServer.ExecuteAsync("CLIENT", "KILL", "USER", ObjectId);
        await restored.Task.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.NotEqual(clientId, (long)await server.ExecuteAsync("CLIENT", "ID"));
        Assert.Equal(ObjectId, (string?)await server.ExecuteAsync("ACL", "WHOAMI"));
        Assert.Equal("1", (string?)await multiplexer.GetDatabase().StringGetAsync("auth:probe"));
    }

    [Fact]
    public async Task On_a_cluster_a_renewed_token_re_authenticates_the_connection_to_every_shard()
    {
        // Azure Managed Redis is clustered by default: the client holds a connection per shard, and each must renew.
        using var cluster = await RedisCluster.StartAsync();
        await using var admin = await ConnectionMultiplexer.ConnectAsync($"{cluster.ConnectionString},allowAdmin=true");
        var primaries = admin.GetServers().Where(s => !s.IsReplica).ToList();
        Assert.Equal(3, primaries.Count);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero));
        var credential = new FakeRedisCredential(ObjectId, time, TimeSpan.FromHours(1));
        // ACL users are per node, as each shard of Azure Managed Redis gets the access policy assignment.
        foreach (var node in primaries) await node.ExecuteAsync("ACL", "SETUSER", ObjectId, "on", ">" + credential.Peek(), "~*", "&*", "+@all");

        await using var connection = new RedisConnection(
            new RedisOptions { ConnectionString = cluster.ConnectionString, KeyPrefix = "auth", TimeoutMilliseconds = 5000 },
            credential, time, NullLogger.Instance);
        var multiplexer = await connection.GetAsync();
        // Keys in every shard, so the client holds a connection to each.
        var keys = Enumerable.Range(0, 30).Select(i => (RedisKey)$"auth:{{{i}}}").ToList();
        foreach (var key in keys) await multiplexer.GetDatabase().StringSetAsync(key, "1");
        var layout = primaries[0].ClusterConfiguration!;
        Assert.Equal(3, keys.Select(k => layout.GetBySlot(k)!.EndPoint).Distinct().Count());
        var clientIds = new Dictionary<string, long>();
        foreach (var node in primaries)
        {
            var mine = multiplexer.GetServer(node.EndPoint);
            Assert.Equal(ObjectId, (string?)await mine.ExecuteAsync("ACL", "WHOAMI"));
            clientIds[node.EndPoint.ToString()!] = (long)await mine.ExecuteAsync("CLIENT", "ID");
        }

        var next = credential.Peek();
        foreach (var node in primaries)
        {
            await node.ExecuteAsync("ACL", "SETUSER", ObjectId, "resetpass", ">" + next);
            await node.ExecuteAsync("CONFIG", "RESETSTAT");
        }
        time.Advance(TimeSpan.FromMinutes(46));
        Assert.True(await Http.EventuallyAsync(() => Task.FromResult(connection.Authentication!.Renewals == 1 && primaries.All(n => AuthCalls(n).Calls >= 1)), TimeSpan.FromSeconds(10)),
            $"renewals {connection.Authentication!.Renewals}, AUTH calls {string.Join(", ", primaries.Select(n => AuthCalls(n)))}");
        Assert.All(primaries, node => Assert.Equal(0, AuthCalls(node).Failed));
        foreach (var node in primaries)
        {
            var mine = multiplexer.GetServer(node.EndPoint);
            Assert.Equal(clientIds[node.EndPoint.ToString()!], (long)await mine.ExecuteAsync("CLIENT", "ID")); // the same connection, renewed
        }
        foreach (var key in keys) Assert.Equal("1", (string?)await multiplexer.GetDatabase().StringGetAsync(key));
    }

    [Fact]
    public async Task Without_a_token_Redis_counts_as_unreachable_and_the_next_call_tries_again()
    {
        using var redis = await RedisInstance.StartAsync();
        var time = new FakeTimeProvider();
        var credential = new FakeRedisCredential(ObjectId, time, TimeSpan.FromHours(1)) { Failing = true };
        await using var connection = new RedisConnection(
            new RedisOptions { ConnectionString = redis.ConnectionString, TimeoutMilliseconds = 5000 }, credential, time, NullLogger.Instance);
        await Assert.ThrowsAsync<RedisConnectionException>(connection.GetAsync);

        credential.Failing = false;
        await using var admin = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},allowAdmin=true");
        await admin.GetServer(admin.GetEndPoints()[0]).ExecuteAsync("ACL", "SETUSER", ObjectId, "on", ">" + credential.Peek(), "~*", "+@all");
        var multiplexer = await connection.GetAsync();
        Assert.Equal(ObjectId, (string?)await multiplexer.GetServer(multiplexer.GetEndPoints()[0]).ExecuteAsync("ACL", "WHOAMI"));
    }

    private static async Task<int> ConnectionsOfAsync(IServer admin, string user) =>
        ((string?)await admin.ExecuteAsync("CLIENT", "LIST") ?? "").Split('\n').Count(line => line.Contains($" user={user} ", StringComparison.Ordinal));

    private static (long Calls, long Failed) AuthCalls(IServer admin)
    {
        // INFO commandstats: "cmdstat_auth:calls=1,usec=…,rejected_calls=0,failed_calls=0"
        var line = admin.Info("commandstats").SelectMany(g => g).FirstOrDefault(p => p.Key == "cmdstat_auth").Value ?? "";
        long Field(string name) => line.Split(',').Select(f => f.Split('=')).Where(f => f[0] == name).Select(f => long.Parse(f[1])).FirstOrDefault();
        return (Field("calls"), Field("failed_calls") + Field("rejected_calls"));
    }
}

/// <summary>Hands out JWT-shaped tokens (only the oid claim matters) of a fixed lifetime, a new one per call.</summary>
internal sealed class FakeRedisCredential(string objectId, TimeProvider time, TimeSpan lifetime) : TokenCredential
{
    private int _issued;

    public bool Failing { get; set; }

    /// <summary>The token the next call will return.</summary>
    public string Peek() => Jwt(objectId, _issued + 1);

    public static string Jwt(string objectId, int serial)
    {
        static string Part(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"{Part("{\"alg\":\"none\"}")}.{Part($"{{\"oid\":\"{objectId}\",\"n\":{serial}}}")}.sig{serial}";
    }

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        Assert.Equal([RedisTokenAuthentication.Scope], requestContext.Scopes);
        if (Failing) throw new global::Azure.Identity.AuthenticationFailedException("no identity here");
        var serial = Interlocked.Increment(ref _issued);
        return ValueTask.FromResult(new AccessToken(Jwt(objectId, serial), time.GetUtcNow() + lifetime));
    }
}
