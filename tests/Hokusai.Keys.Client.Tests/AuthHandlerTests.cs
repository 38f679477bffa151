using System.Net;
using System.Text.Json;
using Hokusai.Keys.Client.Models;

namespace Hokusai.Keys.Client.Tests;

/// <summary>The ASP.NET Core authentication handler in a small API, verifying through the real Hokusai server.</summary>
public sealed class AuthHandlerTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task A_valid_key_is_allowed_with_claims_from_bearer_header_or_query()
    {
        var (id, key) = await fixture.CreateKeyAsync(new CreateKeyOptions { Name = "Downstream", Owner = "team-ds", Scopes = ["models:read", "models:write"] });
        await using var app = await AuthHandlerApp.StartAsync(fixture);

        using var response = await app.Client.SendAsync(AuthHandlerApp.Get("/me", bearer: key));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var me = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(id, me.RootElement.GetProperty("id").GetString());
        Assert.Equal("team-ds", me.RootElement.GetProperty("owner").GetString());
        Assert.Equal(["models:read", "models:write"], me.RootElement.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));

        using var viaHeader = await app.Client.SendAsync(AuthHandlerApp.Get("/models", header: key));
        Assert.Equal(HttpStatusCode.OK, viaHeader.StatusCode);

        using var viaQuery = await app.Client.GetAsync("/models?api_key=" + Uri.EscapeDataString(key));
        Assert.Equal(HttpStatusCode.OK, viaQuery.StatusCode);
    }

    [Fact]
    public async Task Missing_malformed_unknown_and_revoked_keys_get_401_problems()
    {
        var (id, key) = await fixture.CreateKeyAsync(new CreateKeyOptions { Name = "Revoked", Scopes = ["models:read"] });
        await fixture.Admin.RevokeKeyAsync(id);
        await using var app = await AuthHandlerApp.StartAsync(fixture);

        await AssertProblemAsync(app, AuthHandlerApp.Get("/me"), 401, "MISSING_KEY");
        await AssertProblemAsync(app, AuthHandlerApp.Get("/me", bearer: "garbage"), 401, "MALFORMED");
        await AssertProblemAsync(app, AuthHandlerApp.Get("/me", bearer: Hokusai.Keys.Domain.ApiKeyFormat.Generate(Hokusai.Keys.Domain.KeyEnvironment.Live).Plaintext), 401, "NOT_FOUND");
        await AssertProblemAsync(app, AuthHandlerApp.Get("/me", bearer: key), 401, "REVOKED");
    }

    [Fact]
    public async Task A_missing_scope_gets_403_INSUFFICIENT_SCOPE()
    {
        var (_, key) = await fixture.CreateKeyAsync(new CreateKeyOptions { Name = "No models", Scopes = ["other:read"] });
        await using var app = await AuthHandlerApp.StartAsync(fixture);

        using var me = await app.Client.SendAsync(AuthHandlerApp.Get("/me", bearer: key));
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        await AssertProblemAsync(app, AuthHandlerApp.Get("/models", bearer: key), 403, "INSUFFICIENT_SCOPE");
    }

    [Fact]
    public async Task A_caller_outside_the_allow_list_gets_403_IP_NOT_ALLOWED()
    {
        var (_, key) = await fixture.CreateKeyAsync(new CreateKeyOptions { Name = "Office only", Scopes = ["models:read"], AllowedIps = ["10.0.0.0/8"] });
        await using var app = await AuthHandlerApp.StartAsync(fixture);

        using var inside = await app.Client.SendAsync(AuthHandlerApp.Get("/models", bearer: key, peer: "10.1.2.3"));
        Assert.Equal(HttpStatusCode.OK, inside.StatusCode);
        await AssertProblemAsync(app, AuthHandlerApp.Get("/models", bearer: key, peer: "192.0.2.7"), 403, "IP_NOT_ALLOWED");
    }

    internal static async Task<HttpResponseMessage> AssertProblemAsync(AuthHandlerApp app, HttpRequestMessage request, int status, string code)
    {
        using (request)
        {
            var response = await app.Client.SendAsync(request);
            Assert.Equal(status, (int)response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(code, problem.RootElement.GetProperty("code").GetString());
            Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
            return response;
        }
    }
}

/// <summary>
/// 429 from the handler when the key's rate limit is exhausted. Needs the main engineer's rate limiting in verify
/// (verify answering RATE_LIMITED with a rateLimit object): until it lands, the second call is allowed and this fails.
/// </summary>
public sealed class RateLimitedHandlerTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task The_second_call_within_the_window_gets_429_with_Retry_After()
    {
        var (_, key) = await fixture.CreateKeyAsync(new CreateKeyOptions { Name = "One per hour", Scopes = ["models:read"], RateLimit = new ApiKeyRateLimit(1, 3600) });
        await using var app = await AuthHandlerApp.StartAsync(fixture);

        using var first = await app.Client.SendAsync(AuthHandlerApp.Get("/models", bearer: key));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        using var second = await AuthHandlerTests.AssertProblemAsync(app, AuthHandlerApp.Get("/models", bearer: key), 429, "RATE_LIMITED");
        Assert.NotNull(second.Headers.RetryAfter);
    }
}
