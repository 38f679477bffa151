using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Hokusai.Keys.Infra.Tests;

/// <summary>Locates the repository and the Bicep CLI from the NuGet packages folder, and runs it.</summary>
internal static class BicepCli
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string Output => (StandardOutput + Environment.NewLine + StandardError).Trim();
    }

    /// <summary>The folder holding Functions.sln, found by walking up from the test's output folder.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string InfraDirectory => Path.Combine(RepositoryRoot, "infra");

    public static string MainBicep => Path.Combine(InfraDirectory, "main.bicep");

    public static Task<Result> RunAsync(params string[] arguments) => RunAsync(arguments, TimeSpan.FromMinutes(2));

    private static async Task<Result> RunAsync(string[] arguments, TimeSpan timeout)
    {
        var executable = FindExecutable();
        var startInfo = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = InfraDirectory,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {executable}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {timeout}.");
        }

        return new Result(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Functions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No folder containing Functions.sln above {AppContext.BaseDirectory}.");
    }

    private static string Metadata(string key) =>
        typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value ?? "";

    private static string FindExecutable()
    {
        var package = Metadata("BicepCliPackage").ToLowerInvariant();
        var version = Metadata("BicepCliVersion");
        var fileName = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "bicep.exe" : "bicep";

        // The NuGet global packages folder: NUGET_PACKAGES if set, else ~/.nuget/packages; the folder used by the
        // restore that built this assembly is tried last.
        var roots = new List<string>();
        var fromEnvironment = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            roots.Add(fromEnvironment);
        }

        roots.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"));
        var fromBuild = Metadata("NuGetPackageRoot");
        if (!string.IsNullOrWhiteSpace(fromBuild))
        {
            roots.Add(fromBuild);
        }

        var candidates = roots.Select(root => Path.Combine(root, package, version, "tools", fileName)).ToList();
        var executable = candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException(
                $"Bicep CLI {package} {version} not found (looked at: {string.Join(", ", candidates)}). " +
                "Run `dotnet restore tests/Hokusai.Keys.Infra.Tests` (PackageDownload). The package is built for linux-x64.");

        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(executable);
            if ((mode & UnixFileMode.UserExecute) == 0)
            {
                File.SetUnixFileMode(executable, mode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            }
        }

        return executable;
    }
}
