using System.Reflection;
using System.Text.RegularExpressions;
using Hokusai.Keys.Client.Models;
using Hokusai.Keys.Testing;
using Hokusai.Keys.Validation;

namespace Hokusai.Keys.Client.Tests;

/// <summary>One catalog of codes: the server answers from it, the clients read it, and no code is spelled anywhere else.</summary>
public partial class ErrorCatalogTests
{
    private static IEnumerable<string> Constants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!);

    [Fact]
    public void Every_code_has_exactly_one_catalog_entry()
    {
        var codes = Constants(typeof(ErrorCodes)).ToList();
        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.Equal(codes.Order(), ErrorCatalog.All.Select(e => e.Code).Order());
        Assert.All(ErrorCatalog.All, e => Assert.InRange(e.Status, 200, 599));
    }

    [Fact]
    public void The_clients_verify_codes_are_the_servers_validation_codes()
    {
        var server = Enum.GetValues<ValidationCode>().Select(c => c.ToWire()).Append(ErrorCodes.MissingKey).ToHashSet();
        Assert.Equal(server.Order(), Constants(typeof(VerifyCodes)).Order());
        Assert.All(server, code => Assert.True(ErrorCatalog.TryGet(code, out _), code));
    }

    [Fact]
    public void No_code_is_spelled_outside_the_catalog()
    {
        // Environment variable names and the client's own codes for answers that did not come from the API.
        string[] allowed = ["NO_COLOR", "XDG_CONFIG_HOME", "APPLICATIONINSIGHTS_CONNECTION_STRING", HokusaiApiException.InvalidResponseCode];
        var source = Path.Combine(RepoPaths.Root, "src");
        var spelled = Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}Hokusai.Keys.Contracts{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => CodeLiteral().Matches(File.ReadAllText(f)).Select(m => (File: Path.GetRelativePath(source, f), Code: m.Groups[1].Value)))
            .Where(x => !allowed.Contains(x.Code) && !x.Code.StartsWith("HOKUSAI_", StringComparison.Ordinal))
            .ToList();
        Assert.True(spelled.Count == 0, "spell these through ErrorCodes: " + string.Join(", ", spelled.Select(x => $"{x.File}: {x.Code}")));
    }

    [GeneratedRegex("\"([A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+_?)\"")]
    private static partial Regex CodeLiteral();
}
