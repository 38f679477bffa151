using System.Text.Json.Nodes;
using Hokusai.Keys.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Hokusai.Keys.Functions.Tests;

/// <summary>The Functions app serves docs/openapi.json as committed (the server's half is in OpenApiDocumentTests).</summary>
public class FunctionsOpenApiTests
{
    [Fact]
    public async Task The_functions_app_serves_the_committed_document()
    {
        using var host = FunctionsTestHost.Build();

        var functions = ActivatorUtilities.CreateInstance<SystemFunctions>(host.Services);
        var context = new DefaultHttpContext { RequestServices = host.Services };
        context.Request.Method = "GET";
        context.Response.Body = new MemoryStream();
        var result = await functions.OpenApi(context.Request);
        await result.ExecuteResultAsync(new ActionContext { HttpContext = context });

        Assert.Equal(200, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        var served = JsonNode.Parse(await new StreamReader(context.Response.Body).ReadToEndAsync())!;
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "docs", "openapi.json")))!;
        Assert.True(JsonNode.DeepEquals(served, committed), "the Functions app serves a stale document: rebuild after updating docs/openapi.json");
    }
}
