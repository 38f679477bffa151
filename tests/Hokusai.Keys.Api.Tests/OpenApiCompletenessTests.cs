using System.Text.Json.Nodes;
using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Api.Tests;

/// <summary>
/// docs/openapi.json says of every operation what a generated client and a validating proxy need: who may call it,
/// an example, a problem for every error, the headers of 401/429/503, and 415 for a JSON body. A route added to the
/// table without them fails here.
/// </summary>
public class OpenApiCompletenessTests
{
    private static readonly JsonNode Document = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "openapi.json")))!;

    public static TheoryData<string, string> Operations()
    {
        var data = new TheoryData<string, string>();
        foreach (var endpoint in ApiEndpoints.All)
            foreach (var method in endpoint.Methods) data.Add(endpoint.Name, method);
        return data;
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public void Every_operation_is_described_completely(string name, string method)
    {
        var endpoint = ApiEndpoints.All.Single(e => e.Name == name);
        var operation = Document["paths"]![endpoint.DocumentPath]![method.ToLowerInvariant()]!;
        var responses = operation["responses"]!.AsObject();

        var security = operation["security"]?.AsArray();
        Assert.True(security is { Count: > 0 }, $"{name} states no security requirement");
        if (endpoint.Auth is not null)
            Assert.Equal(["bearer", "apiKeyHeader"], security!.Select(r => r!.AsObject().Single().Key));

        var examples = operation.ToJsonString().Contains("\"example\"", StringComparison.Ordinal);
        Assert.True(examples, $"{name} has no example");

        Assert.Equal("#/components/schemas/ProblemResponse", responses["default"]?["content"]?["application/problem+json"]?["schema"]?["$ref"]?.ToString());
        foreach (var (status, response) in responses)
        {
            if (status == "default" || status[0] is '2' || name == "Health") continue;
            Assert.True(response!["content"]?["application/problem+json"] is not null, $"{name} {status} is not a problem");
            if (status == "401") Assert.True(response["headers"]?["WWW-Authenticate"] is not null, $"{name} 401 without WWW-Authenticate");
            if (status is "429" or "503") Assert.True(response["headers"]?["Retry-After"] is not null, $"{name} {status} without Retry-After");
        }
        if (endpoint.Body is not null)
        {
            Assert.True(responses["415"] is not null, $"{name} takes a JSON body but lists no 415");
            Assert.Equal("#/components/schemas/" + Hokusai.Keys.Server.ServerOpenApi.ComponentName(endpoint.Body), operation["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"]?.ToString());
        }
        if (endpoint.HasId) Assert.True(responses["404"] is not null, $"{name} names a key but lists no 404");
    }

    [Fact]
    public void The_problem_codes_are_the_catalogs()
    {
        var documented = Document["components"]!["schemas"]!["ProblemCode"]!["enum"]!.AsArray().Select(c => c!.GetValue<string>());
        Assert.Equal(ErrorCatalog.All.Where(e => e.Status >= 400).Select(e => e.Code).Order(), documented.Order());
    }
}
