namespace Hokusai.Keys.Testing;

/// <summary>
/// A real Azurite (in memory, free ports). Found at $HOKUSAI_AZURITE_BIN or .tools/node_modules/.bin/azurite
/// (./test.sh installs it there).
/// </summary>
public sealed class AzuriteInstance : IDisposable
{
    // Azurite's documented, public development account key (not a secret).
    private const string DevAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly ExternalProcess _process;

    private AzuriteInstance(ExternalProcess process, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevAccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{blobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queuePort}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;";
    }

    public string ConnectionString { get; }

    public static async Task<AzuriteInstance> StartAsync()
    {
        var bin = Environment.GetEnvironmentVariable("HOKUSAI_AZURITE_BIN") is { Length: > 0 } configured
            ? configured
            : Path.Combine(RepoPaths.Root, ".tools", "node_modules", ".bin", "azurite");
        if (!File.Exists(bin)) throw new InvalidOperationException($"Azurite not found at {bin}: run ./test.sh (it installs it) or set HOKUSAI_AZURITE_BIN.");
        int blob = ExternalProcess.FreePort(), queue = ExternalProcess.FreePort(), table = ExternalProcess.FreePort();
        var process = new ExternalProcess(bin,
        [
            "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
            "--blobPort", blob.ToString(), "--queuePort", queue.ToString(), "--tablePort", table.ToString(),
        ]);
        foreach (var port in new[] { blob, queue, table })
            await ExternalProcess.WaitForPortAsync(port, TimeSpan.FromSeconds(60), () => process.Output);
        return new AzuriteInstance(process, blob, queue, table);
    }

    /// <summary>SIGSTOP: connections are accepted by the kernel but nothing answers, as with a hung storage endpoint.</summary>
    public void Freeze() => _process.Freeze();

    public void Thaw() => _process.Thaw();

    public void Dispose() => _process.Dispose();
}
