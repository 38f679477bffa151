using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Hokusai.Keys.Client.Models;
using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Client.Tests;

/// <summary>
/// The built <c>hokusai</c> binary as a person and a script see it: through a real pseudo-terminal (util-linux
/// <c>script</c>, with <c>stty cols</c> setting the width) and through a pipe, against the built server binary listening
/// on a real port (real Azurite and Redis). docs/cli.md, "Output".
/// </summary>
public sealed partial class CliTerminalTests(CliTerminalTests.Fixture fixture) : IClassFixture<CliTerminalTests.Fixture>
{
    [Theory]
    [InlineData(80)]
    [InlineData(160)]
    public async Task List_keys_fits_the_terminal_one_line_per_key_ids_whole(int columns)
    {
        var result = await fixture.RunInTerminalAsync(columns, "auth", "list-keys", "--owner", Fixture.Owner);
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Lines;
        Assert.True(lines.All(l => l.Length <= columns), $"a line is wider than {columns} columns:\n{result}");
        Assert.True(lines.Count == fixture.KeyIds.Count + 1, $"a header and one line per key, no cell wrapped:\n{result}");
        foreach (var id in fixture.KeyIds)
        {
            // One line per key, the id on it whole: a wrapped cell would split the id or spill the row onto a second line.
            var rows = lines.Where(l => l.Contains(id, StringComparison.Ordinal)).ToList();
            Assert.True(rows.Count == 1, $"key {id} is not on exactly one line:\n{result}");
        }
        var adminRow = lines.Single(l => l.Contains(fixture.KeyIds[0], StringComparison.Ordinal));
        Assert.Contains("Admin Key", adminRow);
        Assert.Contains("in 89 days", adminRow); // relative expiry, not a date broken mid-number
        Assert.DoesNotContain(lines, l => DatePattern().IsMatch(l));
        if (columns >= 160) Assert.Contains(lines, l => l.Contains("Scopes", StringComparison.Ordinal) && l.Contains("Created", StringComparison.Ordinal));

        var utc = await fixture.RunInTerminalAsync(columns, "auth", "list-keys", "--owner", Fixture.Owner, "--utc");
        Assert.True(utc.ExitCode == 0, utc.ToString());
        Assert.True(utc.Lines.All(l => l.Length <= columns), $"a line is wider than {columns} columns:\n{utc}");
        Assert.True(utc.Lines.Count == fixture.KeyIds.Count + 1, $"a header and one line per key, no cell wrapped:\n{utc}");
        var expiry = fixture.Expiry.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        Assert.Contains(utc.Lines, l => l.Contains(fixture.KeyIds[0], StringComparison.Ordinal) && l.Contains(expiry, StringComparison.Ordinal));
    }

    [Fact]
    public async Task List_keys_through_a_pipe_is_tab_separated_with_a_header_and_full_values()
    {
        var result = await fixture.RunPipedAsync("auth", "list-keys", "--owner", Fixture.Owner);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("\u001b", result.Out);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] header = ["id", "name", "owner", "environment", "status", "scopes", "createdAt", "expiresAt", "lastUsedAt", "revokedAt"];
        Assert.Equal(string.Join('\t', header), lines[0]);
        Assert.Equal(fixture.KeyIds.Count, lines.Length - 1);
        var rows = lines.Skip(1).Select(l => l.Split('\t')).ToList();
        Assert.All(rows, r => Assert.Equal(header.Length, r.Length));
        var admin = rows.Single(r => r[0] == fixture.KeyIds[0]);
        Assert.Equal("Admin Key", admin[1]);
        Assert.Equal("admin,keys:read", admin[5]);
        Assert.Equal(fixture.Expiry.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), admin[7]);
        Assert.True(DateTimeOffset.TryParseExact(admin[6], "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _), admin[6]);
        Assert.Equal("", admin[9]);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(160)]
    public async Task Usage_over_two_days_is_a_few_rows_with_totals_and_the_denied_share(int columns)
    {
        var result = await fixture.RunInTerminalAsync(columns, "auth", "usage", fixture.UsedKeyId, "--days", "2");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(result.Lines.All(l => l.Length <= columns), $"a line is wider than {columns} columns:\n{result}");
        Assert.True(result.Lines.Count <= 8, $"two days of usage, one busy hour, should take a few lines:\n{result}");
        Assert.Contains("per day", result.Out);
        Assert.Contains("Total 4, allowed 3, denied 1", result.Out);
        Assert.Contains(result.Lines, l => l.Contains("25% denied", StringComparison.Ordinal) && l.Contains('▒'));

        // Hourly on request: the empty hours collapse into runs instead of one zero row each.
        var hourly = await fixture.RunInTerminalAsync(columns, "auth", "usage", fixture.UsedKeyId, "--days", "2", "--granularity", "hour");
        Assert.True(hourly.ExitCode == 0, hourly.ToString());
        Assert.True(hourly.Lines.All(l => l.Length <= columns), $"a line is wider than {columns} columns:\n{hourly}");
        Assert.True(hourly.Lines.Count <= 10, $"48 empty hours must be compressed:\n{hourly}");
        Assert.Contains(hourly.Lines, l => l.Contains("no verifications", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Usage_through_a_pipe_is_one_tab_separated_row_per_bucket()
    {
        var result = await fixture.RunPipedAsync("auth", "usage", fixture.UsedKeyId, "--days", "1", "--granularity", "hour");
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("start\ttotal\tallowed\tdenied\tdeniedByCode\tcost", lines[0]);
        var busy = lines.Skip(1).Select(l => l.Split('\t')).Single(r => r[1] != "0");
        Assert.Equal(["4", "3", "1", "INSUFFICIENT_SCOPE=1"], busy[1..5]);
        Assert.EndsWith(":00:00Z", busy[0]);
    }

    /// <summary>A date cut by a wrap ("2026-1" at a line end).</summary>
    [GeneratedRegex(@"\b20\d\d-\d?$")]
    private static partial Regex DatePattern();

    public sealed class Fixture : IAsyncLifetime
    {
        public const string Owner = "team-tty";

        private ServerProcess _process = null!;
        private HokusaiServer _server = null!;
        private string _adminKey = null!;

        /// <summary>The listed keys; the first is "Admin Key".</summary>
        public List<string> KeyIds { get; } = [];

        public string UsedKeyId { get; private set; } = "";

        public DateTimeOffset Expiry { get; private set; }

        public static string CliDll => Path.Combine(RepoPaths.Root, "src", "Hokusai.Keys.Cli", "bin", "Release", "net10.0", "hokusai.dll");

        public async Task InitializeAsync()
        {
            var group = await ServerGroup.CreateAsync();
            _server = group.StartServer();
            _adminKey = await _server.CreateAdminKeyAsync();
            _process = await ServerProcess.StartAsync(group.Settings);
            using var admin = Client(_adminKey);

            // Half a day past 89 days from now, in whole seconds: "in 89 days" whatever the time of day.
            Expiry = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddDays(89.5).ToUnixTimeSeconds());
            var adminKey = await admin.CreateKeyAsync(new CreateKeyOptions { Name = "Admin Key", Owner = Owner, Scopes = ["admin", "keys:read"], ExpiresAt = Expiry });
            KeyIds.Add(adminKey.Id);
            for (var i = 0; i < 3; i++)
            {
                var key = await admin.CreateKeyAsync(new CreateKeyOptions
                {
                    Name = $"Search backend {i} (production, eu-west)", Owner = Owner, Environment = i == 0 ? "test" : "live",
                    Scopes = ["models:read", "models:write", "embeddings:read"], ExpiresAt = DateTimeOffset.UtcNow.AddDays(30 + i),
                    Metadata = new Dictionary<string, string> { ["team"] = "search" },
                });
                KeyIds.Add(key.Id);
            }

            var used = await admin.CreateKeyAsync(new CreateKeyOptions { Name = "Used", Owner = "team-usage", Scopes = ["a"] });
            UsedKeyId = used.Id;
            using var anonymous = Client(null);
            for (var i = 0; i < 3; i++) Assert.True((await anonymous.VerifyAsync(used.Key!)).Valid);
            Assert.False((await anonymous.VerifyAsync(used.Key!, requiredScopes: ["b"])).Valid);
            // Usage is aggregated asynchronously (in-process buffer, then the queue consumer): poll for up to 10 s.
            for (var waited = 0; waited < 100; waited++)
            {
                var usage = await admin.GetUsageAsync(UsedKeyId, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddMinutes(1), UsageGranularity.Hour);
                if (usage.Buckets.Sum(b => b.Total) >= 4) break;
                await Task.Delay(100);
            }
        }

        private HokusaiKeysClient Client(string? apiKey) => new(new HokusaiKeysClientOptions
        {
            Endpoint = _process.BaseAddress,
            ApiKey = apiKey,
            UseGlobalSetup = false,
            EnvironmentVariables = _ => null,
            ConfigFilePath = Path.Combine(Path.GetTempPath(), "hokusai-absent-" + Guid.NewGuid().ToString("N"), "config.json"),
        });

        /// <summary>Runs the CLI in a pseudo-terminal <paramref name="columns"/> wide; the output is what the terminal received.</summary>
        public Task<ProcessResult> RunInTerminalAsync(int columns, params string[] args)
        {
            var command = $"stty cols {columns} rows 50; exec dotnet {Quote(CliDll)} {string.Join(' ', args.Select(Quote))}";
            return RunAsync("script", ["-qec", command, "/dev/null"]);
        }

        /// <summary>Runs the CLI with stdout and stderr redirected to pipes.</summary>
        public Task<ProcessResult> RunPipedAsync(params string[] args) => RunAsync("dotnet", [CliDll, .. args]);

        private async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments)
        {
            var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
            foreach (var argument in arguments) info.ArgumentList.Add(argument);
            info.Environment["HOKUSAI_API_URL"] = _process.BaseAddress.AbsoluteUri;
            info.Environment["HOKUSAI_API_KEY"] = _adminKey;
            info.Environment["HOKUSAI_CONFIG"] = Path.Combine(Path.GetTempPath(), "hokusai-absent-" + Guid.NewGuid().ToString("N"), "config.json");
            info.Environment["TERM"] = "xterm-256color";
            info.Environment["DOTNET_NOLOGO"] = "1";
            info.Environment.Remove("NO_COLOR");
            info.Environment.Remove("COLUMNS");
            using var process = Process.Start(info)!;
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            return new ProcessResult(process.ExitCode, await stdout, await stderr);
        }

        private static string Quote(string argument) => "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

        public Task DisposeAsync()
        {
            _process.Dispose();
            _server.Dispose();
            return Task.CompletedTask;
        }
    }

    /// <summary>A finished CLI process; <see cref="Out"/> is what the terminal shows once the output has been played on it.</summary>
    public sealed class ProcessResult(int exitCode, string stdout, string stderr)
    {
        public int ExitCode { get; } = exitCode;

        public string Out { get; } = Secrets.Redact(string.Join('\n', Screen.Play(stdout)));

        public string Err { get; } = Secrets.Redact(stderr);

        /// <summary>The visible lines, trailing spaces trimmed, blank lines left out.</summary>
        public IReadOnlyList<string> Lines => Out.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();

        public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Out}\n--- stderr ---\n{Err}";
    }

    /// <summary>
    /// The little of a terminal that Spectre's output uses: carriage return, line feed, erase in line, cursor up/down/
    /// left/right/column; colours and modes are ignored. So the spinner's redraws end as the person saw them.
    /// </summary>
    private static class Screen
    {
        public static List<string> Play(string output)
        {
            var rows = new List<System.Text.StringBuilder> { new() };
            int row = 0, column = 0;
            for (var i = 0; i < output.Length; i++)
            {
                var c = output[i];
                if (c == '\u001b' && i + 1 < output.Length)
                {
                    var next = output[i + 1];
                    if (next == '[')
                    {
                        var end = i + 2;
                        while (end < output.Length && output[end] is < '@' or > '~') end++;
                        if (end >= output.Length) break;
                        var parameter = output[(i + 2)..end].TrimStart('?');
                        var n = int.TryParse(parameter.Split(';')[0], out var value) ? value : 0;
                        switch (output[end])
                        {
                            case 'A': row = Math.Max(0, row - Math.Max(1, n)); break;
                            case 'B': row += Math.Max(1, n); break;
                            case 'C': column += Math.Max(1, n); break;
                            case 'D': column = Math.Max(0, column - Math.Max(1, n)); break;
                            case 'G': column = Math.Max(0, n - 1); break;
                            case 'K':
                                Ensure(rows, row);
                                if (n == 2) rows[row].Clear();
                                else if (n == 0 && rows[row].Length > column) rows[row].Length = column;
                                break;
                        }
                        i = end;
                    }
                    else if (next == ']')
                    {
                        var end = output.IndexOf('\u0007', i);
                        i = end < 0 ? output.Length : end;
                    }
                    else i += next is '(' or ')' ? 2 : 1;
                    continue;
                }
                switch (c)
                {
                    case '\r': column = 0; break;
                    case '\n': row++; column = 0; break;
                    default:
                        Ensure(rows, row);
                        var line = rows[row];
                        if (line.Length < column) line.Append(' ', column - line.Length);
                        if (column < line.Length) line[column] = c;
                        else line.Append(c);
                        column++;
                        break;
                }
            }
            return rows.Select(r => r.ToString()).ToList();
        }

        private static void Ensure(List<System.Text.StringBuilder> rows, int row)
        {
            while (rows.Count <= row) rows.Add(new());
        }
    }
}
