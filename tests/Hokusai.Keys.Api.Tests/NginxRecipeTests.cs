using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Api.Tests;

/// <summary>
/// The nginx auth_request recipe of docs/gateways.md does what the doc says, run verbatim by a real nginx. Clients
/// connect from chosen loopback addresses (127.0.0.2, 127.0.0.3) while nginx reaches the server from 127.0.0.1, so
/// the address an allow-list sees tells whose address was checked.
/// </summary>
public sealed class NginxRecipeTests(NginxRecipeFixture fx) : IClassFixture<NginxRecipeFixture>
{
    private const string Client = "127.0.0.2";

    private sealed record Answer(int Status, HttpResponseHeaders Headers, IReadOnlyDictionary<string, string>? UpstreamHeaders, string? UpstreamPath);

    /// <summary>One GET through nginx from <paramref name="from"/>, the key in <paramref name="place"/> (bearer, header or query).</summary>
    private async Task<Answer> Through(string path, string? key = null, string place = "bearer", string from = Client,
        IEnumerable<(string Name, string Value)>? headers = null)
    {
        using var client = LoopbackClient.From(from);
        var target = new Uri(fx.Nginx.BaseAddress, key is not null && place == "query" ? $"{path}?api_key={Uri.EscapeDataString(key)}" : path);
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        if (key is not null && place == "bearer") request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (key is not null && place == "header") request.Headers.Add("X-API-Key", key);
        foreach (var (name, value) in headers ?? []) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        if (status != 200) return new Answer(status, response.Headers, null, null);
        // 200 comes only from the echoing application (nginx's own answers are refusals).
        var echo = JsonNode.Parse(body)!;
        var upstreamHeaders = echo["headers"]!.AsObject().ToDictionary(h => h.Key, h => h.Value!.GetValue<string>(), StringComparer.OrdinalIgnoreCase);
        return new Answer(status, response.Headers, upstreamHeaders, echo["path"]!.GetValue<string>());
    }

    private string Diagnostics => "nginx: " + fx.Nginx.Output;

    [Theory]
    [InlineData("bearer")]
    [InlineData("header")]
    [InlineData("query")]
    public async Task A_valid_key_passes_and_the_application_learns_who_called_but_never_the_key(string place)
    {
        var (id, key) = await fx.Admin.CreateKeyAsync(new { name = "nginx " + place, owner = "team-nginx", scopes = new[] { "orders:read" } });

        // The client also claims to be another key: the application must hear only what authorize said.
        var answer = await Through("/orders/7", key, place, headers: [("X-Hokusai-Key-Id", "forged"), ("X-Hokusai-Owner", "forged")]);

        Assert.True(answer.Status == 200, $"status {answer.Status}. {Diagnostics}");
        Assert.Equal("/orders/7", answer.UpstreamPath);
        var upstream = answer.UpstreamHeaders!;
        Assert.Equal(id, upstream["X-Hokusai-Key-Id"]);
        Assert.Equal("team-nginx", upstream["X-Hokusai-Owner"]);
        Assert.Equal("orders:read", upstream["X-Hokusai-Scopes"]);
        Assert.Equal("live", upstream["X-Hokusai-Environment"]);
        // Never the value in a message: it would be the key.
        Assert.False(upstream.ContainsKey("Authorization"), "the application received the Authorization header");
        Assert.False(upstream.ContainsKey("X-API-Key"), "the application received the X-API-Key header");
    }

    [Fact]
    public async Task No_key_a_malformed_an_unknown_or_a_revoked_key_gets_401_with_a_bearer_challenge()
    {
        var (id, key) = await fx.Admin.CreateKeyAsync(new { name = "nginx revoked" });
        Assert.Equal(200, (await Through("/orders", key)).Status);
        var (revoked, _, _) = await fx.Admin.PostJsonAsync($"/api/keys/{id}/revoke");
        Assert.Equal(200, revoked);

        var unknown = ApiKeyFormat.Generate(KeyEnvironment.Live).Plaintext;
        foreach (var (what, presented, place) in new (string What, string? Key, string Place)[] { ("no key", null, "bearer"), ("malformed", "hk_live_nonsense", "bearer"),
                     ("unknown", unknown, "header"), ("unknown in the query", unknown, "query"), ("revoked", key, "bearer") })
        {
            var answer = await Through("/orders", presented, place);
            Assert.True(answer.Status == 401, $"{what}: status {answer.Status}");
            Assert.Equal("Bearer", answer.Headers.WwwAuthenticate.Single().Scheme);
        }
    }

    [Fact]
    public async Task The_allow_list_sees_the_real_client_and_a_client_cannot_claim_another_address()
    {
        var (_, clientOnly) = await fx.Admin.CreateKeyAsync(new { name = "nginx client", allowedIps = new[] { Client + "/32" } });
        var (_, nginxOnly) = await fx.Admin.CreateKeyAsync(new { name = "nginx itself", allowedIps = new[] { "127.0.0.1/32" } });

        var allowed = await Through("/orders", clientOnly);
        Assert.True(allowed.Status == 200, $"status {allowed.Status}. {Diagnostics}");
        // Allowing nginx's own address does not let nginx's clients in: what is checked is the client's.
        Assert.Equal(403, (await Through("/orders", nginxOnly)).Status);
        // Another client naming the allowed address in its own X-Forwarded-For is still itself.
        Assert.Equal(403, (await Through("/orders", clientOnly, from: "127.0.0.3", headers: [("X-Forwarded-For", Client)])).Status);
    }

    [Fact]
    public async Task A_location_that_requires_a_scope_refuses_a_key_without_it()
    {
        var (_, reader) = await fx.Admin.CreateKeyAsync(new { name = "nginx reader", scopes = new[] { "models:read" } });
        var (_, other) = await fx.Admin.CreateKeyAsync(new { name = "nginx other", scopes = new[] { "orders:read" } });

        Assert.Equal(200, (await Through("/models/m1", reader)).Status);
        Assert.Equal(403, (await Through("/models/m1", other)).Status);
        Assert.Equal(200, (await Through("/orders", other)).Status);
    }

    [Fact]
    public async Task A_rate_limited_key_gets_429_with_Retry_After_not_nginx_s_500()
    {
        var (_, key) = await fx.Admin.CreateKeyAsync(new { name = "nginx limited", rateLimit = new { limit = 1, windowSeconds = 3600 } });

        Assert.Equal(200, (await Through("/orders", key)).Status);
        var refused = await Through("/orders", key);
        Assert.True(refused.Status == 429, $"status {refused.Status}. {Diagnostics}");
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "429 without Retry-After");
    }

    [Fact]
    public async Task The_access_log_records_requests_without_the_key_sent_in_the_query()
    {
        var (_, key) = await fx.Admin.CreateKeyAsync(new { name = "nginx log" });
        Assert.Equal(200, (await Through("/orders/logged", key, "query")).Status);

        var log = fx.Nginx.ReadLog("api.access.log");
        Assert.Contains("GET /orders/logged", log);
        // Never the log in the message: it would hold the key.
        Assert.False(log.Contains("hk_live_", StringComparison.Ordinal), "nginx's access log holds a key");
    }
}
