using System.Text.Json.Nodes;
using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Api.Tests;

/// <summary>
/// docs/openapi.json is the document the server generates from its route table. Regenerate it with
/// <c>HOKUSAI_UPDATE_OPENAPI=1 ./test.sh --filter OpenApiDocumentTests</c> after changing a route or a model.
/// </summary>
public class OpenApiDocumentTests
{
    private static readonly string CommittedPath = Path.Combine(RepoPaths.Root, "docs", "openapi.json");

    [Fact]
    public async Task The_committed_document_matches_the_server()
    {
        using var server = (await ServerGroup.CreateAsync()).With("Hokusai:OpenApi:Generate", "true").StartServer();
        var generated = JsonNode.Parse(await server.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        var text = generated.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n";

        if (Environment.GetEnvironmentVariable("HOKUSAI_UPDATE_OPENAPI") == "1") await File.WriteAllTextAsync(CommittedPath, text);

        Assert.True(File.Exists(CommittedPath), "docs/openapi.json is missing");
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(CommittedPath))!;
        Assert.True(JsonNode.DeepEquals(generated, committed),
            "docs/openapi.json differs from what the server generates; run HOKUSAI_UPDATE_OPENAPI=1 ./test.sh --filter OpenApiDocumentTests");

        Assert.StartsWith("3.1", generated["openapi"]!.GetValue<string>());
        var paths = generated["paths"]!.AsObject();
        foreach (var endpoint in ApiEndpoints.All)
        {
            var path = paths[endpoint.DocumentPath];
            foreach (var method in endpoint.Methods)
                Assert.True(path?[method.ToLowerInvariant()] is not null, $"{method} {endpoint.DocumentPath} is not documented");
        }
    }

    /// <summary>The Functions app's half: FunctionsOpenApiTests in Hokusai.Keys.Functions.Tests.</summary>
    [Fact]
    public async Task The_server_serves_the_committed_document()
    {
        using var server = (await ServerGroup.CreateAsync()).StartServer();
        var served = JsonNode.Parse(await server.CreateClient().GetStringAsync("/api/openapi.json"))!;
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(CommittedPath))!;
        Assert.True(JsonNode.DeepEquals(served, committed), "the embedded document is stale: rebuild after updating docs/openapi.json");
    }
}
