using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Hokusai.Keys.Testing;

/// <summary>A child process whose output is captured (for failure messages) and which dies with the test run.</summary>
internal sealed class ExternalProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public ExternalProcess(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        // stdin redirected and closed too, so a child never reads the test host's terminal: from a background job that
        // stops it (SIGTTIN), and a stopped process does not act on test.sh's SIGTERM (seen once: a leftover Azurite).
        var info = new ProcessStartInfo(fileName) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>()) info.Environment[name] = value;
        if (workingDirectory is not null) info.WorkingDirectory = workingDirectory;
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_output) _output.AppendLine(e.Data); };
        if (!_process.Start()) throw new InvalidOperationException($"Could not start {fileName}");
        _process.StandardInput.Close();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
        // The test host may be torn down without running exit handlers: test.sh kills what this file lists.
        if (Environment.GetEnvironmentVariable("HOKUSAI_TEST_PIDFILE") is { Length: > 0 } pidFile)
            File.AppendAllText(pidFile, _process.Id + Environment.NewLine);
    }

    public string Output { get { lock (_output) return _output.ToString(); } }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    /// <summary>The exit code once the process has ended within <paramref name="timeout"/>; null if it still runs.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>SIGSTOP: the process keeps its sockets open but answers nothing (a hung endpoint). <see cref="Dispose"/> continues it first.</summary>
    public void Freeze() => Signal("STOP");

    /// <summary>SIGCONT.</summary>
    public void Thaw() => Signal("CONT");

    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, _process.Id.ToString()]) { UseShellExecute = false })!;
        kill.WaitForExit();
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                // A frozen process would not act on the kill until continued.
                Thaw();
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A free port whose port + 10000 is also free and below 65536: a Redis Cluster node listens on both (the second
    /// for its cluster bus) and does not start otherwise.
    /// </summary>
    public static int FreeClusterPort()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            if (port + 10_000 > 65_535) continue;
            try
            {
                using var bus = new TcpListener(IPAddress.Loopback, port + 10_000);
                bus.Start();
                return port;
            }
            catch (SocketException) when (attempt < 100)
            {
                // the bus port is taken: draw again
            }
        }
    }

    public static async Task WaitForPortAsync(int port, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            catch (SocketException)
            {
                throw new InvalidOperationException($"Nothing listens on port {port} after {timeout.TotalSeconds} s. {describe()}");
            }
        }
    }
}
