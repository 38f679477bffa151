using System.Diagnostics;
using System.Text.Json.Nodes;
using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Api.Tests;

/// <summary>
/// docs/openapi.json passes Redocly CLI's recommended ruleset (redocly.yaml; ./test.sh installs the pinned CLI into
/// .tools/) with no error and no warning. It runs offline: nothing but the local file is read.
/// </summary>
public class OpenApiLintTests
{
    [Fact]
    public async Task The_document_passes_the_recommended_ruleset_without_errors_or_warnings()
    {
        var redocly = Environment.GetEnvironmentVariable("HOKUSAI_REDOCLY_BIN") ?? Path.Combine(RepoPaths.Root, ".tools", "node_modules", ".bin", "redocly");
        Assert.True(File.Exists(redocly), $"Redocly CLI is not installed at {redocly}: ./test.sh installs it into .tools/ (scripts/tools.sh, ensure_redocly)");

        var start = new ProcessStartInfo(redocly, ["lint", "docs/openapi.json", "--format=json"])
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);

        var report = JsonNode.Parse(await stdout) ?? throw new InvalidOperationException("redocly printed no report: " + await stderr);
        var problems = report["problems"]!.AsArray().Select(p =>
            $"{p!["severity"]} {p["ruleId"]}: {p["message"]} at {string.Join(", ", p["location"]!.AsArray().Select(l => l!["pointer"]?.ToString()))}");
        Assert.True(report["totals"]!["errors"]!.GetValue<int>() == 0 && report["totals"]!["warnings"]!.GetValue<int>() == 0,
            "redocly lint docs/openapi.json:\n" + string.Join("\n", problems));
        Assert.Equal(0, process.ExitCode);
    }
}
