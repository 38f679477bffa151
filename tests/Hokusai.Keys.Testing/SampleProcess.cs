namespace Hokusai.Keys.Testing;

/// <summary>
/// A project of samples/ run from its build output (test.sh builds samples/Samples.slnx) as a user would run it, with
/// its console output captured. Settings are passed as environment variables (<c>:</c> becomes <c>__</c>).
/// </summary>
public sealed class SampleProcess : IDisposable
{
    private readonly ExternalProcess _process;

    private SampleProcess(ExternalProcess process, int port)
    {
        _process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri BaseAddress { get; }

    public string Output => _process.Output;

    public static string Dll(string sample) => Path.Combine(RepoPaths.Root, "samples", sample, "bin", "Release", "net10.0", sample + ".dll");

    /// <summary>Starts a web sample on a free loopback port and waits for it.</summary>
    public static async Task<SampleProcess> StartAsync(string sample, IReadOnlyDictionary<string, string?> settings)
    {
        var port = ExternalProcess.FreePort();
        var process = Start(sample, settings, ["--urls", $"http://127.0.0.1:{port}"]);
        await ExternalProcess.WaitForPortAsync(port, TimeSpan.FromSeconds(60), () => process.Output);
        return new SampleProcess(process, port);
    }

    /// <summary>Runs a console sample to its end.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string sample, IReadOnlyDictionary<string, string?> settings)
    {
        using var process = Start(sample, settings, []);
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60)) ?? throw new TimeoutException($"{sample} did not end within 60 s. {process.Output}");
        return (exitCode, process.Output);
    }

    private static ExternalProcess Start(string sample, IReadOnlyDictionary<string, string?> settings, string[] arguments)
    {
        var dll = Dll(sample);
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: build samples/Samples.slnx (./test.sh does).");
        var environment = settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);
        environment["DOTNET_NOLOGO"] = "1";
        // The sample's own folder is its content root, so its appsettings.json applies as when run with `dotnet run`.
        return new ExternalProcess("dotnet", [dll, .. arguments], environment, Path.GetDirectoryName(dll));
    }

    public void Dispose() => _process.Dispose();
}
