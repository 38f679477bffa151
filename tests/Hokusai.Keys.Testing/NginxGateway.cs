namespace Hokusai.Keys.Testing;

/// <summary>
/// A real nginx (Debian's nginx-light; test.sh installs it when missing) on a free port, in its own scratch folder: the
/// test writes the http-context configuration (e.g. a recipe of docs/gateways.md), this class wraps it in a main
/// configuration whose pid, logs and temporary files stay in that folder, so it runs as root or not.
/// </summary>
public sealed class NginxGateway : IDisposable
{
    private readonly DirectoryInfo _folder;
    private ExternalProcess? _process;

    public NginxGateway()
    {
        _folder = Directory.CreateTempSubdirectory("hokusai-nginx-");
        // As root, nginx's workers run as an unprivileged user: they must reach the temporary folders it makes here.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(_folder.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        LogDirectory = Directory.CreateDirectory(Path.Combine(_folder.FullName, "logs")).FullName;
        Port = ExternalProcess.FreePort();
    }

    /// <summary>The port the configuration must listen on (127.0.0.1).</summary>
    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>Where the configuration may write its logs; nginx's own error log is <c>error.log</c> here.</summary>
    public string LogDirectory { get; }

    /// <summary>nginx's error log and console output so far (for failure messages).</summary>
    public string Output => (_process?.Output ?? "") + ReadLog("error.log");

    public string ReadLog(string name)
    {
        var path = Path.Combine(LogDirectory, name);
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    /// <summary>Checks <paramref name="httpContextConfiguration"/> (<c>nginx -t</c>), then runs nginx with it until disposed.</summary>
    public async Task StartAsync(string httpContextConfiguration)
    {
        var site = Path.Combine(_folder.FullName, "site.conf");
        await File.WriteAllTextAsync(site, httpContextConfiguration);
        var main = Path.Combine(_folder.FullName, "nginx.conf");
        var temp = Directory.CreateDirectory(Path.Combine(_folder.FullName, "temp")).FullName;
        await File.WriteAllTextAsync(main, $$"""
            worker_processes 1;
            pid {{_folder.FullName}}/nginx.pid;
            error_log {{LogDirectory}}/error.log info;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path {{temp}}/body;
                proxy_temp_path {{temp}}/proxy;
                fastcgi_temp_path {{temp}}/fastcgi;
                uwsgi_temp_path {{temp}}/uwsgi;
                scgi_temp_path {{temp}}/scgi;
                include {{site}};
            }
            """);
        string[] arguments = ["-p", _folder.FullName, "-c", main, "-e", Path.Combine(LogDirectory, "error.log")];

        using (var check = new ExternalProcess(Binary, [.. arguments, "-t"]))
        {
            var exitCode = await check.WaitForExitAsync(TimeSpan.FromSeconds(30));
            if (exitCode != 0) throw new InvalidOperationException($"nginx -t refused the configuration: {check.Output}{ReadLog("error.log")}");
        }
        _process = new ExternalProcess(Binary, [.. arguments, "-g", "daemon off;"]);
        var process = _process;
        await ExternalProcess.WaitForPortAsync(Port, TimeSpan.FromSeconds(20), () => process.Output + ReadLog("error.log"));
    }

    /// <summary>nginx on the PATH, else Debian's /usr/sbin/nginx (not on a non-root user's PATH).</summary>
    private static string Binary
    {
        get
        {
            var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(dir => Path.Combine(dir, "nginx")).FirstOrDefault(File.Exists);
            return onPath ?? (File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx"
                : throw new InvalidOperationException("nginx is missing: ./test.sh installs nginx-light (apt-get install nginx-light)."));
        }
    }

    public void Dispose()
    {
        _process?.Dispose();
        try
        {
            _folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // a worker may still be closing a log file; the folder is in the temp directory
        }
        catch (UnauthorizedAccessException)
        {
            // temporary folders nginx made for its workers; the folder is in the temp directory
        }
    }
}
