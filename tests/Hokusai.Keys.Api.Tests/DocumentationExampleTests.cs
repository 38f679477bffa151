using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Api.Tests;

/// <summary>
/// The curl examples of README.md and docs/*.md run as written. Every ```bash/sh block that calls curl either promises
/// the status of each call (a comment ending the command: <c># → 201</c>) or says on the line before its fence why it
/// is not run (<c>&lt;!-- not run: needs an Azure subscription --&gt;</c>). The runnable blocks of one document run in
/// order in one bash session (so a block may use the variables an earlier one set, e.g. with <c>jq</c>) against a
/// fresh server started as ./run.sh starts it, with the admin key created as ./run.sh creates it. Two substitutions
/// only: <c>http://localhost:7071</c> becomes the test server's address, and the placeholder value <c>=hk_live_…</c>
/// (as in <c>ADMIN=hk_live_…</c>: the admin key ./run.sh printed) becomes that key. Each document starts a new session: it sets what it uses.
/// </summary>
public sealed partial class DocumentationExampleTests
{
    private const string AdminKeyPlaceholder = "hk_live_…";
    private const string DevBaseUrl = "http://localhost:7071";
    private const string BlockMarker = "@@hokusai-example-block ";
    private const string StatusMarker = "@@hokusai-example-status ";

    private static IEnumerable<ShellExample> AllExamples() =>
        Documents().SelectMany(document => ShellExample.In(RepoPaths.Root, document));

    private static IEnumerable<string> Documents() =>
        new[] { "README.md" }.Concat(Directory.GetFiles(Path.Combine(RepoPaths.Root, "docs"), "*.md")
            .Select(path => Path.GetRelativePath(RepoPaths.Root, path)).Order(StringComparer.Ordinal));

    [Fact]
    public void Every_shell_block_calling_curl_promises_each_status_or_says_why_it_is_not_run()
    {
        var examples = AllExamples().ToList();
        Assert.Contains(examples, e => e.Document == "README.md" && e.NotRunReason is null);
        var unpromised = examples
            .Where(e => e.NotRunReason is null)
            .SelectMany(e => e.CurlCommands.Where(c => c.CurlCalls != 1 || c.PromisedStatus is null)
                .Select(c => $"{e.Document}:{c.Line}: " + (c.CurlCalls != 1
                    ? "one curl per command, so each call promises its own status"
                    : "a curl call without a promised status (end the command with `# → 200`), in a block without `<!-- not run: reason -->`")))
            .ToList();
        Assert.True(unpromised.Count == 0, string.Join('\n', unpromised));
    }

    [Fact]
    public void The_scanner_finds_curl_calls_and_their_promises_across_continuations_and_honours_not_run_markers()
    {
        var root = Directory.CreateTempSubdirectory("hokusai-markdown-");
        try
        {
            File.WriteAllText(Path.Combine(root.FullName, "doc.md"), string.Join('\n',
                "```bash",
                "curl -s http://localhost:7071/api/keys/#x -H 'A: #1' \\",
                "  -d '{\"a\":1}'   # → 201 created",
                "curl -s http://localhost:7071/api/health",
                "```",
                "<!-- not run: needs nginx -->",
                "",
                "```sh",
                "curl -s http://localhost:8080/",
                "```",
                "```bash",
                "apt-get install curl jq   # curl as a word, not a call",
                "```"));
            var examples = ShellExample.In(root.FullName, "doc.md").ToList();
            Assert.Equal(2, examples.Count);
            var (run, skipped) = (examples[0], examples[1]);
            Assert.Null(run.NotRunReason);
            Assert.Equal([(2, (int?)201, true, false), (4, null, false, false)],
                run.CurlCommands.Select(c => (c.Line, c.PromisedStatus, c.SendsBody, c.DeclaresJson)));
            Assert.Equal("needs nginx", skipped.NotRunReason);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public void Every_example_that_sends_a_body_declares_it_json()
    {
        var undeclared = AllExamples()
            .Where(e => e.NotRunReason is null)
            .SelectMany(e => e.CurlCommands.Where(c => c.SendsBody && !c.DeclaresJson).Select(c => $"{e.Document}:{c.Line}"))
            .ToList();
        Assert.True(undeclared.Count == 0,
            "curl sends a body without -H \"Content-Type: application/json\" (the API refuses other types) at:\n" + string.Join('\n', undeclared));
    }

    [Fact]
    public async Task The_examples_run_verbatim_against_a_fresh_server_and_answer_as_promised()
    {
        var byDocument = AllExamples().Where(e => e.NotRunReason is null).GroupBy(e => e.Document).ToList();
        Assert.NotEmpty(byDocument);
        await RequireToolsAsync(byDocument.SelectMany(d => d).Any(e => e.Text.Contains("jq ")) ? ["bash", "curl", "jq"] : ["bash", "curl"]);

        // As ./run.sh: the built server binary over Azurite and Redis, the admin key from `bootstrap-admin --json`.
        var group = await ServerGroup.CreateAsync();
        var (exitCode, output) = await ServerProcess.RunCommandAsync(group.Settings, "bootstrap-admin", "--name", "Admin Key", "--json");
        Assert.True(exitCode == 0, $"bootstrap-admin exited {exitCode}: {Redact(output)}");
        var adminKey = output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith('{'))
            .Select(l => JsonNode.Parse(l)!["key"]!.GetValue<string>()).Single();
        using var server = await ServerProcess.StartAsync(group.Settings);
        var baseUrl = server.BaseAddress.GetLeftPart(UriPartial.Authority);

        var failures = new List<string>();
        foreach (var document in byDocument)
        {
            var examples = document.ToList();
            var run = await RunAsync(examples, baseUrl, adminKey);
            var broken = examples.Select((example, i) => (example, promised: example.CurlCommands.Select(c => c.PromisedStatus?.ToString() ?? "none").ToList(), answered: run.Statuses[i]))
                .Where(e => !e.promised.SequenceEqual(e.answered))
                .Select(e => $"{e.example.Where}: promised [{string.Join(", ", e.promised)}], answered [{string.Join(", ", e.answered)}]")
                .ToList();
            if (broken.Count == 0) continue;
            failures.AddRange(broken);
            failures.Add($"--- what {document.Key}'s examples printed (plaintext keys redacted):\n{run.Output}");
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private sealed record Run(List<string>[] Statuses, string Output);

    /// <summary>
    /// Runs <paramref name="examples"/> in one bash session. curl is wrapped by a shell function that adds nothing but
    /// a <c>--write-out</c> to standard error (the call's status, after the example's own options so it wins).
    /// </summary>
    private static async Task<Run> RunAsync(IReadOnlyList<ShellExample> examples, string baseUrl, string adminKey)
    {
        var script = new StringBuilder()
            .AppendLine($"curl() {{ command curl -q \"$@\" --write-out '%{{stderr}}\\n{StatusMarker}%{{http_code}}\\n'; }}");
        for (var i = 0; i < examples.Count; i++)
        {
            script.AppendLine($"echo '{BlockMarker}{i}' >&2");
            script.AppendLine(examples[i].Text.Replace(DevBaseUrl, baseUrl, StringComparison.Ordinal)
                .Replace("=" + AdminKeyPlaceholder, "=\"${HOKUSAI_EXAMPLE_ADMIN_KEY}\"", StringComparison.Ordinal));
        }

        var workingDirectory = Directory.CreateTempSubdirectory("hokusai-examples-");
        try
        {
            var info = new ProcessStartInfo("bash", ["--noprofile", "--norc", "-s"])
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
                UseShellExecute = false, WorkingDirectory = workingDirectory.FullName,
            };
            // The key goes in through the environment, never into a file; no proxy may stand between curl and the server.
            info.Environment["HOKUSAI_EXAMPLE_ADMIN_KEY"] = adminKey;
            info.Environment["NO_PROXY"] = info.Environment["no_proxy"] = "127.0.0.1,localhost";
            using var bash = Process.Start(info)!;
            var stdout = bash.StandardOutput.ReadToEndAsync();
            var stderr = bash.StandardError.ReadToEndAsync();
            await bash.StandardInput.WriteAsync(script.ToString());
            bash.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            try
            {
                await bash.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                bash.Kill(entireProcessTree: true);
                throw new TimeoutException($"The examples of {examples[0].Document} did not finish within 120 s.");
            }

            var statuses = examples.Select(_ => new List<string>()).ToArray();
            var messages = new StringBuilder();
            var block = -1;
            foreach (var line in (await stderr).Split('\n'))
            {
                if (line.StartsWith(BlockMarker, StringComparison.Ordinal)) block = int.Parse(line[BlockMarker.Length..]);
                else if (line.StartsWith(StatusMarker, StringComparison.Ordinal) && block >= 0) statuses[block].Add(line[StatusMarker.Length..].Trim());
                else if (line.Trim().Length > 0) messages.AppendLine(line);
            }
            return new Run(statuses, Redact($"stdout:\n{await stdout}\nstderr:\n{messages}"));
        }
        finally
        {
            workingDirectory.Delete(recursive: true);
        }
    }

    private static async Task RequireToolsAsync(string[] tools)
    {
        using var which = Process.Start(new ProcessStartInfo("bash", ["-c", "command -v " + string.Join(' ', tools)])
        {
            RedirectStandardOutput = true, UseShellExecute = false,
        })!;
        var found = (await which.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        await which.WaitForExitAsync();
        var missing = tools.Where(t => !found.Any(f => f.EndsWith("/" + t, StringComparison.Ordinal))).ToList();
        Assert.True(missing.Count == 0, $"The documented examples need {string.Join(", ", missing)} (e.g. apt-get install {string.Join(' ', missing)}).");
    }

    /// <summary>Examples print the keys they create; a failure message must not.</summary>
    private static string Redact(string text) => PlaintextKey().Replace(text, "hk_$1_<redacted>");

    [GeneratedRegex(@"hk_(live|test)_[0-9A-Za-z]{50}")]
    private static partial Regex PlaintextKey();
}
