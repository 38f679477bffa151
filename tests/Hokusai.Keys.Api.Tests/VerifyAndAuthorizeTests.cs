using System.Net.Http.Headers;
using static Hokusai.Keys.Api.Tests.Http;

namespace Hokusai.Keys.Api.Tests;

public class VerifyAndAuthorizeTests(ApiFixture fx) : IClassFixture<ApiFixture>
{
    private static string RandomWellFormedKey() => Domain.ApiKeyFormat.Generate(Domain.KeyEnvironment.Live).Plaintext;

    [Fact]
    public async Task Verify_answers_every_code_as_data_in_the_documented_order()
    {
        var client = fx.Server.Client();
        var (validId, valid) = await fx.Admin.CreateKeyAsync(new
        {
            name = "verify me", owner = "dora", scopes = new[] { "models:read" }, metadata = new { team = "ml" }, allowedIps = new[] { "10.0.0.0/8" },
        });

        var (status, body, _) = await client.PostJsonAsync("/api/keys/verify", new { key = valid, ip = "10.1.2.3", requiredScopes = new[] { "models:read" } });
        Assert.Equal(200, status);
        Assert.True(body!["valid"]!.GetValue<bool>());
        Assert.Equal("VALID", body["code"]!.GetValue<string>());
        Assert.Equal(validId, body["key"]!["id"]!.GetValue<string>());
        Assert.Equal("dora", body["key"]!["owner"]!.GetValue<string>());
        Assert.Equal("verify me", body["key"]!["name"]!.GetValue<string>());
        Assert.Equal("live", body["key"]!["environment"]!.GetValue<string>());
        Assert.Equal("ml", body["key"]!["metadata"]!["team"]!.GetValue<string>());

        Assert.Equal("IP_NOT_ALLOWED", await client.VerifyCodeAsync(valid, "11.0.0.1"));
        Assert.Equal("IP_NOT_ALLOWED", await client.VerifyCodeAsync(valid));
        Assert.Equal("INSUFFICIENT_SCOPE", await client.VerifyCodeAsync(valid, "10.0.0.1", ["models:write"]));

        var refused = (await client.PostJsonAsync("/api/keys/verify", new { key = valid, ip = "11.0.0.1" })).Body!;
        Assert.False(refused["valid"]!.GetValue<bool>());
        Assert.Equal(validId, refused["key"]!["id"]!.GetValue<string>());
        Assert.Null(refused["key"]!["owner"]);
        Assert.Null(refused["key"]!["metadata"]);

        var malformed = (await client.PostJsonAsync("/api/keys/verify", new { key = "hk_live_typo" })).Body!;
        Assert.Equal("MALFORMED", malformed["code"]!.GetValue<string>());
        Assert.Null(malformed["key"]);
        Assert.Equal("MALFORMED", await client.VerifyCodeAsync(valid[..^1] + (valid[^1] == 'a' ? 'b' : 'a')));

        var unknown = (await client.PostJsonAsync("/api/keys/verify", new { key = RandomWellFormedKey() })).Body!;
        Assert.Equal("NOT_FOUND", unknown["code"]!.GetValue<string>());
        Assert.Null(unknown["key"]);

        // The right id with a wrong secret is NOT_FOUND, and says nothing about the key.
        var forged = Domain.ApiKeyFormat.Generate(Domain.KeyEnvironment.Live, validId).Plaintext;
        var forgedAnswer = (await client.PostJsonAsync("/api/keys/verify", new { key = forged, ip = "10.0.0.1" })).Body!;
        Assert.Equal("NOT_FOUND", forgedAnswer["code"]!.GetValue<string>());
        Assert.Null(forgedAnswer["key"]);

        var (_, expiring) = await fx.Admin.CreateKeyAsync(new { name = "short", expiresInSeconds = 1, allowedIps = new[] { "10.0.0.0/8" } });
        await Task.Delay(1200);
        Assert.Equal("EXPIRED", await client.VerifyCodeAsync(expiring, "11.0.0.1")); // expired before IP

        await fx.Admin.PostJsonAsync($"/api/keys/{validId}/revoke");
        var revoked = (await client.PostJsonAsync("/api/keys/verify", new { key = valid, ip = "11.0.0.1", requiredScopes = new[] { "x" } })).Body!;
        Assert.Equal("REVOKED", revoked["code"]!.GetValue<string>()); // revoked before IP and scope
        Assert.Null(revoked["key"]!["owner"]);
    }

    [Fact]
    public async Task Authorize_maps_codes_to_statuses_with_gateway_headers()
    {
        var (id, key) = await fx.Admin.CreateKeyAsync(new { name = "gateway", owner = "erin", scopes = new[] { "models:read", "models:write" } });

        using var ok = await Authorize(bearer: key, scopes: "models:read");
        Assert.Equal(204, (int)ok.StatusCode);
        Assert.Equal(id, ok.Headers.GetValues("X-Hokusai-Key-Id").Single());
        Assert.Equal("erin", ok.Headers.GetValues("X-Hokusai-Owner").Single());
        Assert.Equal("models:read models:write", ok.Headers.GetValues("X-Hokusai-Scopes").Single());

        await AssertProblem(await Authorize(), 401, "MISSING_KEY");
        await AssertProblem(await Authorize(bearer: "hk_live_garbage"), 401, "MALFORMED");
        await AssertProblem(await Authorize(bearer: RandomWellFormedKey()), 401, "NOT_FOUND");
        await AssertProblem(await Authorize(bearer: key, scopes: "models:read, admin"), 403, "INSUFFICIENT_SCOPE");

        var (_, restricted) = await fx.Admin.CreateKeyAsync(new { name = "restricted", allowedIps = new[] { "192.0.2.0/24" } });
        await AssertProblem(await Authorize(bearer: restricted, peer: "198.51.100.7"), 403, "IP_NOT_ALLOWED");
        Assert.Equal(204, (int)(await Authorize(bearer: restricted, peer: "192.0.2.7")).StatusCode);

        var (_, shortLived) = await fx.Admin.CreateKeyAsync(new { name = "short", expiresInSeconds = 1 });
        await Task.Delay(1200);
        await AssertProblem(await Authorize(bearer: shortLived), 401, "EXPIRED");

        await fx.Admin.PostJsonAsync($"/api/keys/{id}/revoke");
        await AssertProblem(await Authorize(bearer: key), 401, "REVOKED");
    }

    [Fact]
    public async Task Authorize_reads_the_key_from_bearer_header_or_query()
    {
        var (_, key) = await fx.Admin.CreateKeyAsync(new { name = "sources" });
        Assert.Equal(204, (int)(await Authorize(bearer: key)).StatusCode);
        Assert.Equal(204, (int)(await Authorize(header: key)).StatusCode);
        Assert.Equal(204, (int)(await Authorize(query: key)).StatusCode);
    }

    [Theory]
    [InlineData("10.20.30.40", "10.0.0.0/8", 204)]
    [InlineData("::ffff:10.20.30.40", "10.0.0.0/8", 204)]
    [InlineData("2001:db8:5::1", "2001:db8::/32", 204)]
    [InlineData("2001:db9::1", "2001:db8::/32", 403)]
    [InlineData("11.0.0.1", "10.0.0.0/8", 403)]
    [InlineData("::ffff:11.0.0.1", "10.0.0.0/8", 403)]
    public async Task Client_addresses_match_IPv4_IPv6_and_mapped_CIDRs(string peer, string cidr, int expected)
    {
        var (_, key) = await fx.Admin.CreateKeyAsync(new { name = "cidr", allowedIps = new[] { cidr } });
        Assert.Equal(expected, (int)(await Authorize(bearer: key, peer: peer)).StatusCode);
    }

    [Fact]
    public async Task X_Forwarded_For_is_believed_only_from_trusted_proxies()
    {
        using var server = fx.Group.With("Hokusai:Network:TrustedProxies", "10.9.0.0/16").StartServer();
        var (_, key) = await fx.Admin.CreateKeyAsync(new { name = "behind proxy", allowedIps = new[] { "203.0.113.0/24", "2001:db8::/32" } });

        async Task<int> Send(string peer, string forwardedFor)
        {
            var client = server.Client(key, peer);
            client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
            return (int)(await client.GetAsync("/api/authorize")).StatusCode;
        }

        Assert.Equal(204, await Send("10.9.0.1", "203.0.113.7"));
        Assert.Equal(204, await Send("10.9.0.1", "198.51.100.1, 203.0.113.7, 10.9.0.2")); // right-most untrusted hop
        Assert.Equal(403, await Send("10.9.0.1", "203.0.113.7, 198.51.100.1")); // a client cannot prepend its way in
        Assert.Equal(403, await Send("198.51.100.1", "203.0.113.7")); // untrusted peer: header ignored
        Assert.Equal(204, await Send("203.0.113.9", "1.2.3.4")); // untrusted peer inside the allow-list: its own address counts
        Assert.Equal(204, await Send("10.9.0.1", "203.0.113.7:51234")); // Azure front ends add the client's port
        // Bracketed IPv6 with a port is read (allowed only when the address inside is read and matched), never guessed.
        Assert.Equal(204, await Send("10.9.0.1", "[2001:db8::7]:443"));
        Assert.Equal(204, await Send("10.9.0.1", "[2001:db8::7]"));
        Assert.Equal(204, await Send("10.9.0.1", "2001:db8::7"));
        Assert.Equal(403, await Send("10.9.0.1", "[2001:db9::7]:443"));
        Assert.Equal(403, await Send("10.9.0.1", "[2001:db8::7")); // garbage from a trusted hop: the proxy's own address counts
    }

    private async Task<HttpResponseMessage> Authorize(string? bearer = null, string? header = null, string? query = null, string? scopes = null, string? peer = null)
    {
        var client = fx.Server.Client(peer: peer);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/authorize" + (query is null ? "" : "?api_key=" + Uri.EscapeDataString(query)));
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        if (header is not null) request.Headers.Add("X-API-Key", header);
        if (scopes is not null) request.Headers.Add("X-Required-Scopes", scopes);
        return await client.SendAsync(request);
    }
}
