using System.Net;
using System.Text;
using Hokusai.Keys.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Hokusai.Keys.Api.Tests;

/// <summary>
/// The check every HTTP test's responses go through (<see cref="OpenApiContract"/>, <see cref="OpenApiCheckingHandler"/>)
/// refuses what docs/openapi.json does not describe, and the test servers' clients use it.
/// </summary>
public class OpenApiContractTests
{
    private const string KeyJson = """
        {"id":"Ab12cD34eF56gH78","name":"n","owner":"acme","environment":"live","prefix":"hk_live_Ab12","status":"active",
         "scopes":[],"rateLimit":null,"quota":null,"allowedIps":[],"metadata":{},"createdAt":"2026-01-15T09:30:00+00:00",
         "expiresAt":null,"revokedAt":null,"lastUsedAt":null,"rotatedFromId":null,"rotatedToId":null,
         "leakPolicy":"revoke","leakedAt":null}
        """;

    private static IReadOnlyList<string> Check(string method, string path, int status, string? contentType, string? body, params (string Name, string Value)[] headers)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status)
        {
            Content = body is null ? new ByteArrayContent([]) : new StringContent(body, Encoding.UTF8, contentType!),
        };
        if (body is null) response.Content.Headers.Remove("Content-Type");
        foreach (var (name, value) in headers)
            if (!response.Headers.TryAddWithoutValidation(name, value)) response.Content.Headers.TryAddWithoutValidation(name, value);
        return OpenApiContract.Committed.Check(new HttpMethod(method), path, response, body is null ? [] : Encoding.UTF8.GetBytes(body));
    }

    [Fact]
    public void A_documented_answer_passes()
    {
        Assert.Empty(Check("GET", "/api/keys/Ab12cD34eF56gH78", 200, "application/json", KeyJson));
        Assert.Empty(Check("GET", "/api/keys/Ab12cD34eF56gH78", 404, "application/problem+json",
            """{"type":"https://hokusai.dev/problems/key-not-found","title":"Key not found","status":404,"detail":"d","code":"KEY_NOT_FOUND"}"""));
    }

    [Fact]
    public void Each_way_of_leaving_the_document_is_a_violation()
    {
        // A status the operation does not list.
        Assert.Contains(Check("GET", "/api/keys/Ab12cD34eF56gH78", 418, "application/json", KeyJson), v => v.Contains("does not document status 418"));
        // A required field missing, a value outside its enum, a property not in the schema.
        Assert.NotEmpty(Check("GET", "/api/keys/Ab12cD34eF56gH78", 200, "application/json", KeyJson.Replace("\"name\":\"n\",", "")));
        Assert.NotEmpty(Check("GET", "/api/keys/Ab12cD34eF56gH78", 200, "application/json", KeyJson.Replace("\"active\"", "\"paused\"")));
        Assert.NotEmpty(Check("GET", "/api/keys/Ab12cD34eF56gH78", 200, "application/json", KeyJson.Replace("{\"id\"", "{\"extra\":1,\"id\"")));
        // Another media type; a body where there is none.
        Assert.Contains(Check("GET", "/api/keys/Ab12cD34eF56gH78", 200, "text/plain", KeyJson), v => v.Contains("Content-Type text/plain"));
        Assert.Contains(Check("GET", "/api/authorize", 204, "application/json", "{}"), v => v.Contains("a body"));
        // A required header missing, a header outside its schema, a header the document does not name.
        Assert.Contains(Check("GET", "/api/authorize", 204, null, null, ("X-Hokusai-Owner", "acme"), ("X-Hokusai-Environment", "live")),
            v => v.Contains("required header X-Hokusai-Key-Id"));
        Assert.Contains(Check("GET", "/api/authorize", 204, null, null, ("X-Hokusai-Key-Id", "Ab12cD34eF56gH78"), ("X-Hokusai-Owner", "acme"),
            ("X-Hokusai-Environment", "staging")), v => v.Contains("header X-Hokusai-Environment"));
        Assert.Contains(Check("GET", "/api/keys/Ab12cD34eF56gH78", 200, "application/json", KeyJson, ("X-Debug", "1")), v => v.Contains("X-Debug is not documented"));
        // A problem whose status is not the response's.
        Assert.Contains(Check("GET", "/api/keys/Ab12cD34eF56gH78", 404, "application/problem+json",
            """{"type":"t","title":"t","status":400,"detail":"d","code":"KEY_NOT_FOUND"}"""), v => v.Contains("status 400 is not the response's 404"));
        // No operation: only a problem may answer.
        Assert.NotEmpty(Check("GET", "/api/nothing-here", 200, "application/json", "{}"));
        Assert.Empty(Check("GET", "/api/nothing-here", 404, "application/problem+json",
            """{"type":"t","title":"No such route","status":404,"detail":"d","code":"ROUTE_NOT_FOUND"}"""));
    }

    [Fact]
    public async Task A_test_servers_client_fails_the_request_that_got_an_undescribed_answer()
    {
        using var server = (await ServerGroup.CreateAsync(withRedis: false)).StartServer(services =>
            services.AddSingleton<IStartupFilter>(new ExtraHeaderFilter()));
        var client = server.CreateClient();

        var thrown = await Assert.ThrowsAsync<OpenApiContractException>(() => client.GetAsync("/api/health"));
        Assert.Contains("header X-Undocumented is not documented", thrown.Message);
    }

    /// <summary>Adds a header the document does not know to every answer.</summary>
    private sealed class ExtraHeaderFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Response.OnStarting(() =>
                {
                    context.Response.Headers["X-Undocumented"] = "1";
                    return Task.CompletedTask;
                });
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
