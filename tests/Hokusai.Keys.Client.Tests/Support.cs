using System.Text.Json;
using System.Text.RegularExpressions;
using Hokusai.Keys.Cli;
using Hokusai.Keys.Client.Models;
using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Client.Tests;

/// <summary>One real server (real Azurite and Redis) per test class, with an admin key and an SDK client bound to it.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public ServerGroup Group { get; private set; } = null!;
    public HokusaiServer Server { get; private set; } = null!;
    internal string AdminKey { get; private set; } = null!;
    public Uri Endpoint => Server.Server.BaseAddress;
    public HokusaiKeysClient Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Group = await ServerGroup.CreateAsync();
        Server = Group.StartServer();
        AdminKey = await Server.CreateAdminKeyAsync();
        Admin = NewClient(AdminKey);
    }

    public HokusaiKeysClient NewClient(string? apiKey) => new(new HokusaiKeysClientOptions
    {
        Endpoint = Endpoint,
        ApiKey = apiKey,
        UseGlobalSetup = false,
        EnvironmentVariables = _ => null,
        ConfigFilePath = Path.Combine(Path.GetTempPath(), "hokusai-absent-" + Guid.NewGuid().ToString("N"), "config.json"),
        HttpMessageHandler = Server.CreateCheckedHandler(),
    });

    /// <summary>Creates a key and returns its id and plaintext (the plaintext stays inside the test).</summary>
    public async Task<(string Id, string Plaintext)> CreateKeyAsync(CreateKeyOptions options)
    {
        var key = await Admin.CreateKeyAsync(options);
        return (key.Id, key.Key!);
    }

    public Task DisposeAsync()
    {
        Admin.Dispose();
        Server.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>Keeps plaintext keys out of test output: assertions only ever see redacted text.</summary>
public static partial class Secrets
{
    [GeneratedRegex("hk_(live|test)_[0-9A-Za-z]{50}")]
    public static partial Regex KeyPattern();

    public static string Redact(string text) => KeyPattern().Replace(text, "hk_$1_[REDACTED]");

    public static bool IsKey(string? value) => value is not null && KeyPattern().IsMatch(value) && KeyPattern().Match(value).Value == value;
}

/// <summary>The outcome of one in-process CLI run. Raw output is private: use the redacted views or the key extractors.</summary>
public sealed class CliResult(int exitCode, string stdout, string stderr)
{
    public int ExitCode { get; } = exitCode;
    public string Out { get; } = Secrets.Redact(stdout);
    public string Err { get; } = Secrets.Redact(stderr);

    /// <summary>Every plaintext key printed on stdout.</summary>
    public IReadOnlyList<string> PrintedKeys => Secrets.KeyPattern().Matches(stdout).Select(m => m.Value).ToList();

    /// <summary>stdout parsed as JSON (with keys intact, for the test to use but not to print).</summary>
    public JsonElement Json() => JsonDocument.Parse(stdout).RootElement.Clone();

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Out}\n--- stderr ---\n{Err}";
}

/// <summary>Runs <c>hokusai</c> in-process against the test server with captured output, an injected environment and config path.</summary>
public sealed class CliRunner(ServerFixture fixture)
{
    public Dictionary<string, string?> Environment { get; } = new();

    public string ConfigPath { get; set; } = Path.Combine(Path.GetTempPath(), "hokusai-cli-" + Guid.NewGuid().ToString("N"), "config.json");

    public bool Interactive { get; set; }

    /// <summary>Set: stdout is a terminal this wide (tables); null: stdout is a pipe (tab-separated rows).</summary>
    public int? TerminalWidth { get; set; }

    /// <summary>The CLI's clock (relative times, --rotation-due); the system clock when null.</summary>
    public TimeProvider? Time { get; set; }

    public async Task<CliResult> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var host = new CliHost
        {
            Out = CliHost.Plain(stdout, TerminalWidth ?? 200),
            OutputIsTerminal = TerminalWidth is not null,
            Error = CliHost.Plain(stderr),
            Environment = name => Environment.TryGetValue(name, out var v) ? v : null,
            ConfigPath = ConfigPath,
            Interactive = Interactive,
            HttpMessageHandler = fixture.Server.CreateCheckedHandler(),
            Time = Time ?? TimeProvider.System,
        };
        var code = await HokusaiCli.RunAsync(args, host);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs with the test server's URL and the admin key.</summary>
    public Task<CliResult> AdminAsync(params string[] args) =>
        RunAsync([.. args, "--api-url", fixture.Endpoint.AbsoluteUri, "--api-key", fixture.AdminKey]);
}

/// <summary>Tests that change process-wide state (environment variables, HokusaiKeys.Setup) run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessStateCollection
{
    public const string Name = "Process-wide state";
}
