namespace Hokusai.Keys.Api.Tests;

/// <summary>Bad input of every kind is a 400 problem with a code, never a 500 and never a stack trace.</summary>
public class MalformedInputTests(ApiFixture fx) : IClassFixture<ApiFixture>
{
    private static readonly string Huge = new('x', 70_000);

    public static TheoryData<string, string, string> Cases()
    {
        var past = DateTimeOffset.UtcNow.AddDays(-1).ToString("O");
        var data = new TheoryData<string, string, string>
        {
            // route, method, body
            { "/api/keys", "POST", "" },
            { "/api/keys", "POST", "not json" },
            { "/api/keys", "POST", "{" },
            { "/api/keys", "POST", "[]" },
            { "/api/keys", "POST", "null" },
            { "/api/keys", "POST", "42" },
            { "/api/keys", "POST", "{}" },
            { "/api/keys", "POST", """{"name":""}""" },
            { "/api/keys", "POST", """{"name":"   "}""" },
            { "/api/keys", "POST", """{"name":123}""" },
            { "/api/keys", "POST", """{"name":true}""" },
            { "/api/keys", "POST", $$"""{"name":"{{new string('n', 101)}}"}""" },
            { "/api/keys", "POST", $$"""{"name":"{{Huge}}"}""" },
            { "/api/keys", "POST", """{"name":"ok","unknown":1}""" },
            { "/api/keys", "POST", """{"name":"ok","environment":"prod"}""" },
            { "/api/keys", "POST", """{"name":"ok","environment":5}""" },
            { "/api/keys", "POST", """{"name":"ok","owner":"a/b"}""" },
            { "/api/keys", "POST", """{"name":"ok","owner":""}""" },
            { "/api/keys", "POST", """{"name":"ok","scopes":"models:read"}""" },
            { "/api/keys", "POST", """{"name":"ok","scopes":[1,2]}""" },
            { "/api/keys", "POST", """{"name":"ok","scopes":["has space"]}""" },
            { "/api/keys", "POST", """{"name":"ok","scopes":[null]}""" },
            { "/api/keys", "POST", $$"""{"name":"ok","scopes":[{{string.Join(',', Enumerable.Range(0, 40).Select(i => $"\"s{i}\""))}}]}""" },
            { "/api/keys", "POST", """{"name":"ok","allowedIps":["10.0.0.0/33"]}""" },
            { "/api/keys", "POST", """{"name":"ok","allowedIps":["2001:db8::/129"]}""" },
            { "/api/keys", "POST", """{"name":"ok","allowedIps":["999.1.1.1"]}""" },
            { "/api/keys", "POST", """{"name":"ok","allowedIps":["localhost"]}""" },
            { "/api/keys", "POST", """{"name":"ok","allowedIps":"10.0.0.0/8"}""" },
            { "/api/keys", "POST", """{"name":"ok","rateLimit":{"limit":0,"windowSeconds":60}}""" },
            { "/api/keys", "POST", """{"name":"ok","rateLimit":{"limit":-5,"windowSeconds":60}}""" },
            { "/api/keys", "POST", """{"name":"ok","rateLimit":{"limit":10}}""" },
            { "/api/keys", "POST", """{"name":"ok","rateLimit":{"limit":"10","windowSeconds":60}}""" },
            { "/api/keys", "POST", """{"name":"ok","rateLimit":{"limit":10,"windowSeconds":60,"burst":5}}""" },
            { "/api/keys", "POST", """{"name":"ok","rateLimit":{"limit":99999999999,"windowSeconds":60}}""" },
            { "/api/keys", "POST", $$"""{"name":"ok","expiresAt":"{{past}}"}""" },
            { "/api/keys", "POST", """{"name":"ok","expiresAt":"yesterday"}""" },
            { "/api/keys", "POST", """{"name":"ok","expiresAt":"2999-01-01T00:00:00Z"}""" },
            { "/api/keys", "POST", """{"name":"ok","expiresInSeconds":0}""" },
            { "/api/keys", "POST", """{"name":"ok","expiresInSeconds":-1}""" },
            { "/api/keys", "POST", """{"name":"ok","expiresInSeconds":1.5}""" },
            { "/api/keys", "POST", """{"name":"ok","expiresInSeconds":60,"expiresAt":"2030-01-01T00:00:00Z"}""" },
            { "/api/keys", "POST", """{"name":"ok","metadata":{"team":5}}""" },
            { "/api/keys", "POST", """{"name":"ok","metadata":["a"]}""" },
            { "/api/keys", "POST", """{"name":"ok","metadata":{"bad key!":"v"}}""" },
            { "/api/keys", "POST", "{\"scopes\":[" + string.Join(",", Enumerable.Range(0, 40).Select(i => $"\"s{i}\"")) + "],\"name\":\"ok\"}" },
            { "/api/keys", "POST", """{"name":"ok",}""" },
            { "/api/keys", "POST", """{"name":"ok"} trailing""" },
            { "/api/keys/verify", "POST", "" },
            { "/api/keys/verify", "POST", """{"key":5}""" },
            { "/api/keys/verify", "POST", """{"key":"hk_live_x","ip":"not-an-ip"}""" },
            { "/api/keys/verify", "POST", """{"key":"hk_live_x","extra":true}""" },
            { "/api/keys/verify", "POST", """{"ip":"10.0.0.1"}""" },
            { "/api/keys/verify", "POST", $$"""{"key":"{{Huge}}"}""" },
            { "/api/keys?limit=0", "GET", "" },
            { "/api/keys?limit=101", "GET", "" },
            { "/api/keys?limit=abc", "GET", "" },
            { "/api/keys?status=deleted", "GET", "" },
            { "/api/keys?cursor=%%%", "GET", "" },
            { "/api/keys?owner=a%2Fb", "GET", "" },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_is_a_400_problem(string route, string method, string body)
    {
        var (status, json, response) = await fx.Admin.SendJsonAsync(new HttpMethod(method), route, rawBody: method == "GET" ? null : body);

        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.False(string.IsNullOrEmpty(json!["code"]?.GetValue<string>()));
        Assert.Equal(400, json["status"]!.GetValue<int>());
        var text = json.ToJsonString();
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_and_rotate_bodies_are_checked_too()
    {
        var (id, _) = await fx.Admin.CreateKeyAsync(new { name = "target" });
        foreach (var (method, path, body) in new[]
        {
            ("PATCH", $"/api/keys/{id}", """{"name":""}"""),
            ("PATCH", $"/api/keys/{id}", """{"owner":"someone"}"""),
            ("PATCH", $"/api/keys/{id}", """{"allowedIps":["10.0.0.0/33"]}"""),
            ("PATCH", $"/api/keys/{id}", ""),
            ("POST", $"/api/keys/{id}/rotate", """{"gracePeriodSeconds":-1}"""),
            ("POST", $"/api/keys/{id}/rotate", """{"gracePeriodSeconds":99999999}"""),
            ("POST", $"/api/keys/{id}/rotate", """{"grace":1}"""),
        })
        {
            var (status, json, _) = await fx.Admin.SendJsonAsync(new HttpMethod(method), path, rawBody: body);
            Assert.True(status == 400, $"{method} {path} {body} gave {status} {json?["code"]}");
        }
    }
}
