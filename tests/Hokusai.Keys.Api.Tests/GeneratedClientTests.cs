using System.Diagnostics;
using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Api.Tests;

/// <summary>
/// A client generated from docs/openapi.json by a standard generator (Kiota, pinned in dotnet-tools.json) compiles
/// without edits and works against the real server binary: tests/Hokusai.Keys.GeneratedClient generates it into its
/// Generated/ folder, builds with warnings as errors, and runs create → verify → rotate → revoke and a problem answer.
/// </summary>
public class GeneratedClientTests
{
    private static readonly string ProjectDirectory = Path.Combine(RepoPaths.Root, "tests", "Hokusai.Keys.GeneratedClient");

    [Fact]
    public async Task A_client_generated_from_the_document_creates_verifies_rotates_and_revokes_keys()
    {
        await RunAsync("dotnet", ["tool", "restore"]);
        await RunAsync("dotnet", ["kiota", "generate", "--language", "CSharp", "--openapi", Path.Combine("docs", "openapi.json"),
            "--output", Path.Combine(ProjectDirectory, "Generated"), "--namespace-name", "Hokusai.Keys.GeneratedClient.Api",
            "--class-name", "HokusaiClient", "--exclude-backward-compatible", "--clean-output"]);
        await RunAsync("dotnet", ["build", ProjectDirectory, "-c", "Release", "-nologo", "-v", "quiet"]);

        var group = await ServerGroup.CreateAsync(withRedis: false);
        string adminKey;
        using (var creator = group.StartServer()) adminKey = await creator.CreateAdminKeyAsync();
        using var server = await ServerProcess.StartAsync(group.Settings);

        var output = await RunAsync("dotnet", [Path.Combine(ProjectDirectory, "bin", "Release", "net10.0", "Hokusai.Keys.GeneratedClient.dll"), server.BaseAddress.ToString()],
            new Dictionary<string, string> { ["HOKUSAI_API_KEY"] = adminKey });

        Assert.Matches(@"(?m)^created [0-9A-Za-z]{16} Active Test$", output);
        Assert.Matches(@"(?m)^verified VALID [0-9A-Za-z]{16} remaining 99$", output);
        Assert.Matches(@"(?m)^rotated [0-9A-Za-z]{16} -> [0-9A-Za-z]{16}, previous Revoked$", output);
        Assert.Contains("verified old REVOKED, new VALID", output);
        Assert.Matches(@"(?m)^revoked [0-9A-Za-z]{16} Revoked, verified REVOKED$", output);
        Assert.Contains("problem 404 KEY_NOT_FOUND", output);
    }

    /// <summary>Runs a command from the repository root; its output when it succeeds, a failed assertion with the output otherwise.</summary>
    private static async Task<string> RunAsync(string fileName, string[] arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName, arguments) { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["KIOTA_OFFLINE_ENABLED"] = "true"; // no update check (the machine may have no route to it)
        start.Environment["KIOTA_TUTORIAL_ENABLED"] = "false";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;
        // The program prints ids and codes only; the admin key is in its environment, never in its output.
        Assert.True(process.ExitCode == 0, $"{fileName} {string.Join(' ', arguments.Take(2))} exited {process.ExitCode}:\n{output}");
        return output;
    }
}
