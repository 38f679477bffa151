using System.Net.Http.Headers;
using Hokusai.Keys.Testing;
using static Hokusai.Keys.Api.Tests.Http;

namespace Hokusai.Keys.Api.Tests;

/// <summary>
/// <c>/api/ext-authz/…</c> answers the check Envoy's <c>ext_authz</c> filter (HTTP service) sends: the client's method,
/// <c>path_prefix</c> + the client's path and query, the client's headers, no body; 200 lets the request pass, any other
/// answer goes back to the client (docs/gateways.md, "Envoy").
/// </summary>
public class ExtAuthzTests(ApiFixture fx) : IClassFixture<ApiFixture>
{
    public static TheoryData<string> EveryMethod() => new(ApiEndpoints.All.Single(e => e.Name == "ExtAuthz").Methods);

    [Theory]
    [MemberData(nameof(EveryMethod))]
    public async Task A_valid_key_passes_with_200_and_its_identity_whatever_the_client_s_method_and_path(string method)
    {
        var (id, key) = await fx.Admin.CreateKeyAsync(new { name = "behind envoy", owner = "erin", scopes = new[] { "models:read" } });

        using var answer = await Check(method, "/api/ext-authz/models/42/versions?view=full", key, scopes: "models:read");

        Assert.Equal(200, (int)answer.StatusCode);
        Assert.Equal(id, answer.Headers.GetValues("X-Hokusai-Key-Id").Single());
        Assert.Equal("erin", answer.Headers.GetValues("X-Hokusai-Owner").Single());
        Assert.Equal("live", answer.Headers.GetValues("X-Hokusai-Environment").Single());
        Assert.Equal("models:read", answer.Headers.GetValues("X-Hokusai-Scopes").Single());
        Assert.Empty(await answer.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Refusals_are_authorize_s_problems_and_Envoy_hands_them_to_the_client()
    {
        var (id, key) = await fx.Admin.CreateKeyAsync(new { name = "refused", scopes = new[] { "models:read" } });

        await AssertProblem(await Check("GET", "/api/ext-authz/", null), 401, "MISSING_KEY");
        await AssertProblem(await Check("POST", "/api/ext-authz/orders", "hk_live_garbage"), 401, "MALFORMED");
        await AssertProblem(await Check("DELETE", "/api/ext-authz/models/42", key, scopes: "models:write"), 403, "INSUFFICIENT_SCOPE");
        await AssertProblem(await Check("PUT", "/api/ext-authz/models/42", key, environment: "test"), 403, "WRONG_ENVIRONMENT");

        await fx.Admin.PostJsonAsync($"/api/keys/{id}/revoke");
        await AssertProblem(await Check("PATCH", "/api/ext-authz/models/42", key), 401, "REVOKED");
    }

    [Fact]
    public async Task The_allow_list_sees_the_client_Envoy_forwards_only_when_Envoy_is_a_trusted_proxy()
    {
        using var server = fx.Group.With("Hokusai:Network:TrustedProxies", "10.9.0.0/16").StartServer();
        var (_, key) = await fx.Admin.CreateKeyAsync(new { name = "allow-listed", allowedIps = new[] { "203.0.113.0/24" } });

        async Task<int> Send(string peer, string forwardedFor)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/ext-authz/orders") { Content = new ByteArrayContent([]) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            request.Headers.Add("X-Forwarded-For", forwardedFor);
            using var answer = await server.Client(peer: peer).SendAsync(request);
            return (int)answer.StatusCode;
        }

        Assert.Equal(200, await Send("10.9.0.1", "203.0.113.7"));
        Assert.Equal(403, await Send("10.9.0.1", "198.51.100.1"));
        Assert.Equal(403, await Send("198.51.100.1", "203.0.113.7")); // not Envoy: its X-Forwarded-For is not believed
    }

    [Fact]
    public async Task Over_a_real_socket_a_bodiless_POST_passes_and_a_HEAD_refusal_has_no_body()
    {
        using var server = await ServerProcess.StartAsync(fx.Group.Settings);
        var (id, key) = await fx.Admin.CreateKeyAsync(new { name = "on the wire" });
        const string Close = "Host: localhost\r\nConnection: close\r\n";

        // What Envoy writes: the client's method and path below path_prefix, Content-Length 0, the allowed headers.
        var passed = await RawHttp.SendOneAsync(server.BaseAddress,
            $"POST /api/ext-authz/orders/7?expand=lines HTTP/1.1\r\n{Close}Content-Length: 0\r\nAuthorization: Bearer {key}\r\n\r\n");
        Assert.Equal(200, passed.Status);
        Assert.Equal(id, passed.Header("X-Hokusai-Key-Id"));
        Assert.Equal("0", passed.Header("Content-Length"));

        var refused = await RawHttp.SendOneAsync(server.BaseAddress,
            $"HEAD /api/ext-authz/orders/7 HTTP/1.1\r\n{Close}Authorization: Bearer hk_live_garbage\r\n\r\n");
        Assert.Equal(401, refused.Status);
        Assert.Equal("Bearer", refused.Header("WWW-Authenticate"));
        Assert.Equal("", refused.Body);
    }

    private async Task<HttpResponseMessage> Check(string method, string path, string? key, string? scopes = null, string? environment = null)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT" or "PATCH") request.Content = new ByteArrayContent([]);
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (scopes is not null) request.Headers.Add("X-Required-Scopes", scopes);
        if (environment is not null) request.Headers.Add("X-Required-Environment", environment);
        return await fx.Server.Client().SendAsync(request);
    }
}
