using System.IO.Compression;
using System.Text.Json;
using System.Xml.Linq;
using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Client.Tests;

/// <summary>
/// The packed <c>hokusai</c> tool is a small API client: it runs on the plain .NET runtime and carries no server,
/// storage or cache code (direct-storage bootstrap is the server's <c>bootstrap-admin</c>, docs/cli.md).
/// </summary>
[Collection(DotnetPack.Collection)]
public sealed class CliPackageTests
{
    // Bounds: about 1.5× the client-only tool when they were set (Spectre.Console is most of it), so a dependency that
    // pulls in a server-sized graph fails here while normal growth does not.
    private const long MaxPackageBytes = 1_800_000;
    private const long MaxUnpackedBytes = 3_700_000;

    private static readonly string[] ForbiddenAssemblyPrefixes =
    [
        "Azure.", "StackExchange.Redis", "ZiggyCreatures.", "BCrypt", "Microsoft.Azure.Amqp",
        "Hokusai.Keys.Api", "Hokusai.Keys.Core", "Hokusai.Keys.Azure", "Microsoft.AspNetCore.",
    ];

    [Fact]
    public async Task The_packed_tool_needs_only_the_dotnet_runtime_and_the_client_and_stays_small()
    {
        var output = Directory.CreateTempSubdirectory("hokusai-cli-pack-");
        try
        {
            await DotnetPack.RunAsync(Path.Combine("src", "Hokusai.Keys.Cli"), output.FullName);
            var package = Assert.Single(output.GetFiles("Hokusai.Keys.Cli.*.nupkg"));
            using var zip = ZipFile.OpenRead(package.FullName);
            var toolFiles = zip.Entries.Where(e => e.FullName.StartsWith("tools/", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(toolFiles);

            var runtimeConfig = ReadJson(toolFiles, "hokusai.runtimeconfig.json").GetProperty("runtimeOptions");
            var frameworks = runtimeConfig.TryGetProperty("frameworks", out var list)
                ? list.EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToList()
                : [runtimeConfig.GetProperty("framework").GetProperty("name").GetString()];
            Assert.Equal(["Microsoft.NETCore.App"], frameworks);

            var assemblies = toolFiles.Where(e => e.Name.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)).Select(e => e.Name).ToList();
            Assert.Contains("hokusai.dll", assemblies);
            Assert.Contains("Hokusai.Keys.Client.dll", assemblies);
            var serverAssemblies = assemblies.Where(a => ForbiddenAssemblyPrefixes.Any(p => a.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList();
            Assert.True(serverAssemblies.Count == 0, "the tool carries server assemblies: " + string.Join(", ", serverAssemblies));

            // The project graph, transitive references included: the tool, the client and the wire contract it shares with
            // the server (codes only, no dependencies), nothing else of ours.
            var libraries = ReadJson(toolFiles, "hokusai.deps.json").GetProperty("libraries").EnumerateObject();
            var projects = libraries.Where(l => l.Value.GetProperty("type").GetString() == "project").Select(l => l.Name.Split('/')[0]).Order(StringComparer.Ordinal);
            Assert.Equal(["Hokusai.Keys.Client", "Hokusai.Keys.Contracts", "hokusai"], projects);

            Assert.True(package.Length < MaxPackageBytes, $"the package is {package.Length:N0} bytes; bound {MaxPackageBytes:N0}");
            var unpacked = zip.Entries.Sum(e => e.Length);
            Assert.True(unpacked < MaxUnpackedBytes, $"the tool unpacks to {unpacked:N0} bytes; bound {MaxUnpackedBytes:N0}");
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_cli_project_references_only_the_client_project_and_spectre()
    {
        var project = XDocument.Load(Path.Combine(RepoPaths.Root, "src", "Hokusai.Keys.Cli", "Hokusai.Keys.Cli.csproj"));
        string[] Includes(string item) => project.Descendants(item).Select(r => r.Attribute("Include")!.Value).ToArray();
        Assert.Equal(["Hokusai.Keys.Client.csproj"], Includes("ProjectReference").Select(r => Path.GetFileName(r.Replace('\\', '/'))));
        Assert.Equal(["Spectre.Console", "Spectre.Console.Cli"], Includes("PackageReference").Order(StringComparer.Ordinal));
        Assert.Empty(Includes("FrameworkReference"));
    }

    private static JsonElement ReadJson(IEnumerable<ZipArchiveEntry> entries, string name)
    {
        var entry = Assert.Single(entries, e => e.Name == name);
        using var stream = entry.Open();
        using var document = JsonDocument.Parse(stream);
        return document.RootElement.Clone();
    }
}
