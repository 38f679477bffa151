using System.Diagnostics;
using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Client.Tests;

/// <summary><c>dotnet pack</c> of a project of the repository, as a user of the package gets it.</summary>
internal static class DotnetPack
{
    /// <summary>Tests that pack run one at a time: packs of projects that share references would build them at once.</summary>
    public const string Collection = "dotnet pack";

    /// <summary>Packs <paramref name="project"/> (a path from the repository root) into <paramref name="outputDirectory"/>; an up-to-date build makes it quick.</summary>
    public static async Task RunAsync(string project, string outputDirectory)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var argument in new[] { "pack", project, "-c", "Release", "-o", outputDirectory, "-nologo", "-v", "quiet" })
            info.ArgumentList.Add(argument);
        // The test host's MSBuild settings are not the pack's.
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly" })
            info.Environment.Remove(name);
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("dotnet pack did not end within 5 minutes.");
        }
        Assert.True(process.ExitCode == 0, $"dotnet pack failed ({process.ExitCode}): {await stdout}{await stderr}");
    }
}
