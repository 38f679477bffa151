using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Hokusai.Keys.Infra.Tests;

/// <summary>One ARM resource of the compiled template, with the variables of the template that declares it.</summary>
internal sealed record ArmResource(JsonObject Json, JsonObject? Variables, JsonObject? Deployment)
{
    public string Type => (string?)Json["type"] ?? "";

    public string Name => (string?)Json["name"] ?? "";

    public JsonObject? Properties => Json["properties"] as JsonObject;

    /// <summary>Replaces <c>variables('x')</c> of a string or number variable with its literal, so role ids written as variables can be read.</summary>
    public string ResolveVariables(string expression) =>
        Regex.Replace(expression, @"variables\('([^']+)'\)", match =>
            Variables?[match.Groups[1].Value] is JsonValue value && value.TryGetValue<string>(out var text) ? $"'{text}'" : match.Value);
}

/// <summary>Builds and lints infra/main.bicep once for all tests in the collection.</summary>
public sealed class CompiledTemplate : IAsyncLifetime
{
    private readonly string _outputDirectory = Path.Combine(Path.GetTempPath(), "hokusai-infra-" + Guid.NewGuid().ToString("N"));

    internal BicepCli.Result Build { get; private set; } = null!;

    internal BicepCli.Result Lint { get; private set; } = null!;

    internal JsonObject? Template { get; private set; }

    internal IReadOnlyList<ArmResource> Resources { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_outputDirectory);
        var outFile = Path.Combine(_outputDirectory, "main.json");
        var build = BicepCli.RunAsync("build", BicepCli.MainBicep, "--outfile", outFile);
        var lint = BicepCli.RunAsync("lint", BicepCli.MainBicep);
        Build = await build.ConfigureAwait(false);
        Lint = await lint.ConfigureAwait(false);

        if (Build.ExitCode == 0 && File.Exists(outFile))
        {
            Template = JsonNode.Parse(await File.ReadAllTextAsync(outFile).ConfigureAwait(false))!.AsObject();
            var resources = new List<ArmResource>();
            Collect(Template, deployment: null, resources);
            Resources = resources;
        }
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_outputDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder.
        }

        return Task.CompletedTask;
    }

    internal IEnumerable<ArmResource> OfType(string type)
    {
        if (Template is null)
        {
            throw new Xunit.Sdk.XunitException($"bicep build failed, so there is no template to check:\n{Build.Output}");
        }

        return Resources.Where(r => string.Equals(r.Type, type, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Resources of a template and, recursively, of its nested deployments (modules). Handles both the
    /// array form and the symbolic-name (languageVersion 2.0) object form of <c>resources</c>.</summary>
    private static void Collect(JsonObject template, JsonObject? deployment, List<ArmResource> into)
    {
        var variables = template["variables"] as JsonObject;
        IEnumerable<JsonNode?> nodes = template["resources"] switch
        {
            JsonArray array => array,
            JsonObject map => map.Select(pair => pair.Value),
            _ => [],
        };

        foreach (var node in nodes)
        {
            if (node is not JsonObject resource)
            {
                continue;
            }

            into.Add(new ArmResource(resource, variables, deployment));
            if (string.Equals((string?)resource["type"], "Microsoft.Resources/deployments", StringComparison.OrdinalIgnoreCase)
                && resource["properties"]?["template"] is JsonObject nested)
            {
                Collect(nested, resource, into);
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class CompiledTemplateCollection : ICollectionFixture<CompiledTemplate>
{
    public const string Name = "Compiled Bicep template";
}
