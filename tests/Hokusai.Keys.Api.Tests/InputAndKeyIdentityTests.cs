using System.Buffers.Binary;
using System.IO.Hashing;
using System.Net.Http.Headers;
using System.Text;
using Hokusai.Keys.Testing;
using static Hokusai.Keys.Api.Tests.Http;

namespace Hokusai.Keys.Api.Tests;

/// <summary>
/// A key's environment prefix is part of its identity, and input that is not exactly valid is refused (400), so no
/// value reaching a header, a partition key or an allow-list can mean something other than it says.
/// </summary>
public class InputAndKeyIdentityTests(ApiFixture fx) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task A_key_relabelled_to_the_other_environment_is_not_found_cached_and_uncached()
    {
        var group = await ServerGroup.CreateAsync();
        var counter = new CallCounter();
        using var server = group.StartServer(counter.Install);
        var adminKey = await server.CreateAdminKeyAsync();
        var admin = server.Client(adminKey);
        var client = server.Client();
        var (_, forVerify) = await admin.CreateKeyAsync(new { name = "test for verify", environment = "test" });
        var (_, forAuthorize) = await admin.CreateKeyAsync(new { name = "test for authorize", environment = "test" });
        var (_, live) = await admin.CreateKeyAsync(new { name = "live", environment = "live" });

        // Uncached: the relabelled key is the first thing this server sees of each key (one table read each).
        var reads = counter.KeyReads;
        Assert.Equal("NOT_FOUND", await client.VerifyCodeAsync(Relabel(forVerify, "hk_live_")));
        Assert.Equal(reads + 1, counter.KeyReads);
        await AssertProblem(await Authorize(client, Relabel(forAuthorize, "hk_live_")), 401, "NOT_FOUND");
        Assert.Equal(reads + 2, counter.KeyReads);
        Assert.Equal("NOT_FOUND", await client.VerifyCodeAsync(Relabel(live, "hk_test_")));
        Assert.Equal(reads + 3, counter.KeyReads);

        // The real keys still work, and are now cached.
        Assert.Equal("VALID", await client.VerifyCodeAsync(forVerify));
        Assert.Equal(204, (int)(await Authorize(client, forAuthorize)).StatusCode);
        Assert.Equal("VALID", await client.VerifyCodeAsync(live));

        // Cached: answered without a table read, still refused on both endpoints.
        reads = counter.KeyReads;
        foreach (var (key, other) in new[] { (forVerify, "hk_live_"), (forAuthorize, "hk_live_"), (live, "hk_test_") })
        {
            var relabelled = Relabel(key, other);
            Assert.Equal("NOT_FOUND", await client.VerifyCodeAsync(relabelled));
            await AssertProblem(await Authorize(client, relabelled), 401, "NOT_FOUND");
        }
        Assert.Equal(reads, counter.KeyReads);

        // Another instance reads the snapshots from Redis (no table read): the environment survives the round trip.
        var otherCounter = new CallCounter();
        using var secondServer = group.StartServer(otherCounter.Install);
        var otherClient = secondServer.Client();
        Assert.Equal("VALID", await otherClient.VerifyCodeAsync(forVerify));
        Assert.Equal("NOT_FOUND", await otherClient.VerifyCodeAsync(Relabel(forVerify, "hk_live_")));
        Assert.Equal("VALID", await otherClient.VerifyCodeAsync(live));
        Assert.Equal("NOT_FOUND", await otherClient.VerifyCodeAsync(Relabel(live, "hk_test_")));
        Assert.Equal(0, otherCounter.KeyReads);

        // Management authentication goes through the same check.
        Assert.Equal(200, (await admin.GetJsonAsync("/api/keys")).Status);
        Assert.Equal(401, (await server.Client(Relabel(adminKey, "hk_test_")).GetJsonAsync("/api/keys")).Status);
    }

    [Fact]
    public async Task Authorize_names_the_environment_and_a_gateway_can_require_one()
    {
        var client = fx.Server.Client();
        var (_, test) = await fx.Admin.CreateKeyAsync(new { name = "test env", environment = "test" });
        var (_, live) = await fx.Admin.CreateKeyAsync(new { name = "live env" });

        using (var ok = await Authorize(client, test))
        {
            Assert.Equal(204, (int)ok.StatusCode);
            Assert.Equal("test", ok.Headers.GetValues("X-Hokusai-Environment").Single());
        }
        using (var ok = await Authorize(client, live))
            Assert.Equal("live", ok.Headers.GetValues("X-Hokusai-Environment").Single());

        Assert.Equal(204, (int)(await Authorize(client, test, requiredEnvironment: "test")).StatusCode);
        Assert.Equal(204, (int)(await Authorize(client, live, requiredEnvironment: "live")).StatusCode);
        await AssertProblem(await Authorize(client, test, requiredEnvironment: "live"), 403, "WRONG_ENVIRONMENT");
        await AssertProblem(await Authorize(client, live, requiredEnvironment: "test"), 403, "WRONG_ENVIRONMENT");
        foreach (var bad in new[] { "prod", "LIVE", "live,test", " " })
            await AssertProblem(await Authorize(client, live, requiredEnvironment: bad), 400, "VALIDATION_FAILED");

        // verify: the same check as data.
        var (status, body, _) = await client.PostJsonAsync("/api/keys/verify", new { key = test, requiredEnvironment = "live" });
        Assert.Equal(200, status);
        Assert.False(body!["valid"]!.GetValue<bool>());
        Assert.Equal("WRONG_ENVIRONMENT", body["code"]!.GetValue<string>());
        Assert.Null(body["key"]!["owner"]);
        Assert.Equal("VALID", (await client.PostJsonAsync("/api/keys/verify", new { key = test, requiredEnvironment = "test" })).Body!["code"]!.GetValue<string>());
        var (badStatus, badBody, _) = await client.PostJsonAsync("/api/keys/verify", new { key = test, requiredEnvironment = "prod" });
        Assert.Equal(400, badStatus);
        Assert.Equal("VALIDATION_FAILED", badBody!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_request_refused_for_its_environment_consumes_no_rate_limit()
    {
        var client = fx.Server.Client();
        var (_, key) = await fx.Admin.CreateKeyAsync(new { name = "one a minute", environment = "test", rateLimit = new { limit = 1, windowSeconds = 60 } });
        for (var i = 0; i < 3; i++)
            await AssertProblem(await Authorize(client, key, requiredEnvironment: "live"), 403, "WRONG_ENVIRONMENT");
        Assert.Equal(204, (int)(await Authorize(client, key, requiredEnvironment: "test")).StatusCode);
    }

    public static TheoryData<string, string, string> FieldsWithAControlCharacter() => new()
    {
        // method, route, body
        { "POST", "/api/keys", """{"name":"n","scopes":["admin\n"]}""" },
        { "POST", "/api/keys", """{"name":"n","scopes":["models:read\n"]}""" },
        { "POST", "/api/keys", """{"name":"n","scopes":["models:read\r"]}""" },
        { "POST", "/api/keys", """{"name":"n","owner":"zed\n"}""" },
        { "POST", "/api/keys", """{"name":"n","owner":"zed\u0000"}""" },
        { "POST", "/api/keys", """{"name":"n","metadata":{"k\n":"v"}}""" },
        { "PATCH", "/api/keys/{id}", """{"scopes":["models:read\n"]}""" },
        { "PATCH", "/api/keys/{id}", """{"metadata":{"k\n":"v"}}""" },
        { "GET", "/api/keys?owner=zed%0A", "" },
    };

    [Theory]
    [MemberData(nameof(FieldsWithAControlCharacter))]
    public async Task A_field_with_a_trailing_control_character_is_a_validation_failure(string method, string route, string body)
    {
        if (route.Contains("{id}"))
        {
            var (id, _) = await fx.Admin.CreateKeyAsync(new { name = "to patch" });
            route = route.Replace("{id}", id);
        }
        var (status, json, _) = await fx.Admin.SendJsonAsync(new HttpMethod(method), route, rawBody: body.Length == 0 ? null : body);
        Assert.Equal(400, status);
        Assert.Equal("VALIDATION_FAILED", json!["code"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("012.0.0.0/8")]
    [InlineData("0x7f.1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("167837187")]
    [InlineData("10.1")]
    [InlineData("10.0.0.01")]
    [InlineData("10.0.0.0/08")]
    [InlineData(" 10.0.0.1")]
    [InlineData("[::1]")]
    [InlineData("[::1]:80")]
    [InlineData("fe80::1%1")]
    [InlineData("::ffff:012.0.0.1")]
    public async Task Allow_list_entries_accept_only_standard_notation(string entry)
    {
        var (status, json, _) = await fx.Admin.PostJsonAsync("/api/keys", new { name = "ips", allowedIps = new[] { entry } });
        Assert.Equal(400, status);
        Assert.Equal("VALIDATION_FAILED", json!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Allow_list_entries_in_standard_notation_are_stored_normalised()
    {
        var (id, _) = await fx.Admin.CreateKeyAsync(new { name = "ips", allowedIps = new[] { "10.1.2.3/8", "0.0.0.0/0", "2001:DB8::1", "::ffff:192.0.2.1" } });
        var stored = (await fx.Admin.GetJsonAsync($"/api/keys/{id}")).Body!["allowedIps"]!.AsArray().Select(n => n!.GetValue<string>());
        Assert.Equal(["10.0.0.0/8", "0.0.0.0/0", "2001:db8::1/128", "192.0.2.1/32"], stored);
    }

    [Theory]
    [InlineData("167837187")]
    [InlineData("10.1")]
    [InlineData("012.0.0.1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("[::1]:80")]
    [InlineData("fe80::1%1")]
    public async Task Verify_ip_accepts_only_standard_notation(string ip)
    {
        var (_, key) = await fx.Admin.CreateKeyAsync(new { name = "verify ip" });
        var (status, json, _) = await fx.Server.Client().PostJsonAsync("/api/keys/verify", new { key, ip });
        Assert.Equal(400, status);
        Assert.Equal("VALIDATION_FAILED", json!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_forwarded_address_in_octal_is_not_believed()
    {
        using var server = fx.Group.With("Hokusai:Network:TrustedProxies", "10.9.0.0/16").StartServer();
        var (_, key) = await fx.Admin.CreateKeyAsync(new { name = "behind proxy", allowedIps = new[] { "203.0.113.0/24" } });

        async Task<int> Send(string forwardedFor)
        {
            var client = server.Client(key, "10.9.0.1");
            client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
            return (int)(await client.GetAsync("/api/authorize")).StatusCode;
        }

        Assert.Equal(204, await Send("203.0.113.7"));
        Assert.Equal(403, await Send("0313.0.113.7")); // octal 203: garbage, so the proxy's own address counts
        Assert.Equal(403, await Send("3405803783")); // 203.0.113.7 as one number
    }

    [Theory]
    [InlineData("admin!")]
    [InlineData("models/read")]
    [InlineData("models:read;admin")]
    public async Task Required_scopes_outside_the_scope_alphabet_are_a_validation_failure(string scope)
    {
        var (_, key) = await fx.Admin.CreateKeyAsync(new { name = "scoped", scopes = new[] { "models:read" } });
        var client = fx.Server.Client();
        await AssertProblem(await Authorize(client, key, requiredScopes: "models:read " + scope), 400, "VALIDATION_FAILED");
        var (status, json, _) = await client.PostJsonAsync("/api/keys/verify", new { key, requiredScopes = new[] { scope } });
        Assert.Equal(400, status);
        Assert.Equal("VALIDATION_FAILED", json!["code"]!.GetValue<string>());
        var (newline, _, _) = await client.PostJsonAsync("/api/keys/verify", new { key, requiredScopes = new[] { "models:read\n" } });
        Assert.Equal(400, newline);
    }

    /// <summary>The key with another environment prefix and a checksum that matches it: well-formed, so only identity can refuse it.</summary>
    private static string Relabel(string key, string prefix)
    {
        var body = prefix + key[8..^6];
        var crc = new byte[4];
        Crc32.Hash(Encoding.ASCII.GetBytes(body), crc);
        ulong value = BinaryPrimitives.ReadUInt32LittleEndian(crc);
        const string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        var checksum = new char[6];
        for (var i = checksum.Length - 1; i >= 0; i--)
        {
            checksum[i] = alphabet[(int)(value % 62)];
            value /= 62;
        }
        var relabelled = body + new string(checksum);
        Assert.True(Domain.ApiKeyFormat.TryParse(relabelled, out _), "the relabelled key should be well-formed");
        return relabelled;
    }

    private static async Task<HttpResponseMessage> Authorize(HttpClient client, string key, string? requiredEnvironment = null, string? requiredScopes = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/authorize");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (requiredEnvironment is not null) request.Headers.TryAddWithoutValidation("X-Required-Environment", requiredEnvironment);
        if (requiredScopes is not null) request.Headers.TryAddWithoutValidation("X-Required-Scopes", requiredScopes);
        return await client.SendAsync(request);
    }
}
