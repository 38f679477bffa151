using System.Text;

namespace Hokusai.Keys.Api.Tests;

/// <summary>
/// What a request must look like beyond its fields: JSON bodies as <c>application/json</c> (415 otherwise), no duplicate
/// property names, and a route's own methods (405 with <c>Allow</c>, also where another route's template would match).
/// </summary>
public class RequestFormatTests(ApiFixture fx) : IClassFixture<ApiFixture>
{
    private static HttpRequestMessage Request(string method, string path, string? body, string? contentType)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is null) return request;
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        // Set verbatim: MediaTypeHeaderValue would normalise (or refuse) what clients really send.
        if (contentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string path, string? body, string? contentType)
    {
        using var request = Request(method, path, body, contentType);
        return await fx.Admin.SendAsync(request);
    }

    private async Task<(string Method, string Path, string Body)[]> BodyRoutesAsync()
    {
        var (id, _) = await fx.Admin.CreateKeyAsync(new { name = "format" });
        return
        [
            ("POST", "/api/keys", """{"name":"typed"}"""),
            ("PATCH", $"/api/keys/{id}", """{"name":"renamed"}"""),
            ("POST", $"/api/keys/{id}/rotate", """{"gracePeriodSeconds":60}"""),
            ("POST", "/api/keys/verify", """{"key":"hk_live_not-a-key"}"""),
        ];
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/json; charset=iso-8859-1")]
    [InlineData("application/problem+json")]
    [InlineData("application/jsonx")]
    [InlineData("json")]
    [InlineData(null)]
    public async Task A_json_body_of_another_media_type_is_415(string? contentType)
    {
        foreach (var (method, path, body) in await BodyRoutesAsync())
        {
            using var response = await SendAsync(method, path, body, contentType);
            Assert.True((int)response.StatusCode == 415, $"{method} {path} with '{contentType}': {(int)response.StatusCode}");
            await Http.AssertProblem(response, 415, "UNSUPPORTED_MEDIA_TYPE");
        }
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON;Charset=\"UTF-8\"")]
    public async Task Application_json_with_or_without_utf8_charset_is_accepted(string contentType)
    {
        foreach (var (method, path, body) in await BodyRoutesAsync())
        {
            using var response = await SendAsync(method, path, body, contentType);
            Assert.True((int)response.StatusCode is 200 or 201, $"{method} {path} with '{contentType}': {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Patch_also_takes_merge_patch_json_and_no_other_route_does()
    {
        var (id, _) = await fx.Admin.CreateKeyAsync(new { name = "merge" });
        using (var patched = await SendAsync("PATCH", $"/api/keys/{id}", """{"name":"merged"}""", "application/merge-patch+json"))
            Assert.Equal(200, (int)patched.StatusCode);
        using var created = await SendAsync("POST", "/api/keys", """{"name":"x"}""", "application/merge-patch+json");
        await Http.AssertProblem(created, 415, "UNSUPPORTED_MEDIA_TYPE");
    }

    [Fact]
    public async Task Routes_without_a_body_keep_working_without_one()
    {
        var (id, _) = await fx.Admin.CreateKeyAsync(new { name = "bodiless" });
        // Rotate's body is optional: none at all, or an empty one whatever its type.
        using (var rotated = await SendAsync("POST", $"/api/keys/{id}/rotate", null, null))
            Assert.Equal(201, (int)rotated.StatusCode);
        var (other, _) = await fx.Admin.CreateKeyAsync(new { name = "bodiless 2" });
        using (var rotatedEmpty = await SendAsync("POST", $"/api/keys/{other}/rotate", "", "text/plain"))
            Assert.Equal(201, (int)rotatedEmpty.StatusCode);
        using (var revoked = await SendAsync("POST", $"/api/keys/{id}/revoke", null, null))
            Assert.Equal(200, (int)revoked.StatusCode);
        // A required body that is missing stays 400, whatever the type says.
        using var missing = await SendAsync("POST", "/api/keys", "", "text/plain");
        await Http.AssertProblem(missing, 400, "INVALID_JSON");
    }

    [Fact]
    public async Task Duplicate_property_names_are_refused()
    {
        var (id, _) = await fx.Admin.CreateKeyAsync(new { name = "duplicates" });
        foreach (var (method, path, body) in new[]
        {
            ("POST", "/api/keys", """{"name":"a","name":"b"}"""),
            ("POST", "/api/keys", """{"name":"a","Name":"b"}"""),
            ("POST", "/api/keys", """{"name":"a","metadata":{"team":"x","team":"y"}}"""),
            ("POST", "/api/keys", """{"name":"a","rateLimit":{"limit":1,"limit":1000,"windowSeconds":60}}"""),
            ("PATCH", $"/api/keys/{id}", """{"scopes":["a"],"scopes":["admin"]}"""),
            ("POST", $"/api/keys/{id}/rotate", """{"gracePeriodSeconds":0,"gracePeriodSeconds":60}"""),
            ("POST", "/api/keys/verify", """{"key":"hk_live_a","key":"hk_live_b"}"""),
        })
        {
            using var response = await SendAsync(method, path, body, "application/json");
            Assert.True((int)response.StatusCode == 400, $"{method} {path} {body}: {(int)response.StatusCode}");
            await Http.AssertProblem(response, 400, "INVALID_JSON");
        }
        var (status, key, _) = await fx.Admin.GetJsonAsync($"/api/keys/{id}");
        Assert.Equal(200, status);
        Assert.Equal("duplicates", key!["name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("GET", "/api/keys/verify", "POST")]
    [InlineData("PATCH", "/api/keys/verify", "POST")]
    [InlineData("GET", "/api/keys/VERIFY", "POST")]
    [InlineData("DELETE", "/api/keys/verify", "POST")]
    [InlineData("DELETE", "/api/keys", "GET, POST")]
    [InlineData("PUT", "/api/keys/AAAAAAAAAAAAAAAA", "GET, PATCH")]
    [InlineData("GET", "/api/keys/AAAAAAAAAAAAAAAA/revoke", "POST")]
    public async Task A_known_path_with_another_method_is_405_with_its_methods(string method, string path, string allow)
    {
        foreach (var client in new[] { fx.Admin, fx.Server.Client() })
        {
            using var response = await SendAsync(client, method, path);
            Assert.True((int)response.StatusCode == 405, $"{method} {path}: {(int)response.StatusCode}");
            await Http.AssertProblem(response, 405, "METHOD_NOT_ALLOWED");
            Assert.Equal(allow, string.Join(", ", response.Content.Headers.Allow));
        }
    }

    [Fact]
    public async Task An_unknown_path_is_a_404_problem()
    {
        foreach (var path in new[] { "/api/nothing", "/api/keys/AAAAAAAAAAAAAAAA/nothing", "/nothing", "/api" })
        {
            using var response = await fx.Admin.GetAsync(path);
            await Http.AssertProblem(response, 404, "ROUTE_NOT_FOUND");
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        return await client.SendAsync(request);
    }
}
