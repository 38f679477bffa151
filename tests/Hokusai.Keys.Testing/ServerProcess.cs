namespace Hokusai.Keys.Testing;

/// <summary>
/// The built server binary run as ./run.sh runs it (<c>dotnet src/Hokusai.Keys.Server/bin/…/Hokusai.Keys.Server.dll</c>
/// from the repository root), with its console log captured: what the process really writes, whatever its configuration.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private readonly ExternalProcess _process;

    private ServerProcess(ExternalProcess process, int port)
    {
        _process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri BaseAddress { get; }

    /// <summary>An HTTP client of this server whose every answer is checked against docs/openapi.json (<see cref="OpenApiCheckingHandler"/>).</summary>
    public HttpClient CreateClient() => new(new OpenApiCheckingHandler(new SocketsHttpHandler())) { BaseAddress = BaseAddress };

    /// <summary>Everything the process wrote to standard output and error so far.</summary>
    public string Output => _process.Output;

    public static string Dll => Path.Combine(RepoPaths.Root, "src", "Hokusai.Keys.Server", "bin", "Release", "net10.0", "Hokusai.Keys.Server.dll");

    /// <summary>Starts the server with <paramref name="settings"/> (as environment variables) and waits for its port.</summary>
    public static async Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var port = ExternalProcess.FreePort();
        var process = new ExternalProcess("dotnet", [Dll, "--urls", $"http://127.0.0.1:{port}"], Environment(settings), RepoPaths.Root);
        await ExternalProcess.WaitForPortAsync(port, TimeSpan.FromSeconds(60), () => process.Output);
        return new ServerProcess(process, port);
    }

    /// <summary>Runs a one-shot command of the server binary (e.g. <c>bootstrap-admin</c>) to its end.</summary>
    public static async Task<(int ExitCode, string Output)> RunCommandAsync(IReadOnlyDictionary<string, string?> settings, params string[] arguments)
    {
        using var process = new ExternalProcess("dotnet", [Dll, .. arguments], Environment(settings), RepoPaths.Root);
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60)) ?? throw new TimeoutException("The command did not end within 60 s. " + process.Output);
        return (exitCode, process.Output);
    }

    private static Dictionary<string, string?> Environment(IReadOnlyDictionary<string, string?> settings)
    {
        var environment = settings.ToDictionary(s => s.Key.Replace(":", "__"), s => s.Value);
        environment["DOTNET_NOLOGO"] = "1";
        return environment;
    }

    public void Dispose() => _process.Dispose();
}
