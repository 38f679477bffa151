using Hokusai.Keys.Client;
using Spectre.Console;

namespace Hokusai.Keys.Cli;

/// <summary>
/// Everything the CLI takes from its surroundings: the two consoles, the environment, the config file path, whether a
/// person is at the terminal, and (for tests) the HTTP handler the SDK sends with. <see cref="FromProcess"/> is the real one.
/// </summary>
public sealed class CliHost
{
    public required IAnsiConsole Out { get; init; }

    public required IAnsiConsole Error { get; init; }

    /// <summary>Environment variable lookup.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>Config file path; null: <see cref="HokusaiConfigFile.DefaultPath"/> (which honours HOKUSAI_CONFIG).</summary>
    public string? ConfigPath { get; init; }

    /// <summary>A person is at the terminal: spinners and confirmation prompts are allowed.</summary>
    public bool Interactive { get; init; }

    /// <summary>
    /// Standard output is a terminal: lists are tables fitted to <see cref="IAnsiConsole.Profile"/>'s width. When it is
    /// not (a pipe, a file), lists are tab-separated rows with a header (docs/cli.md, "Output").
    /// </summary>
    public bool OutputIsTerminal { get; init; }

    /// <summary>The handler the SDK sends with (tests: the in-memory test server); null: a normal HttpClient.</summary>
    public HttpMessageHandler? HttpMessageHandler { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public string ResolvedConfigPath => ConfigPath ?? HokusaiConfigFile.DefaultPath(Environment);

    public HokusaiSettingsResolver Resolver => new(Environment, ResolvedConfigPath, useGlobalSetup: false);

    /// <summary>The real process: stdout/stderr, colour off when redirected or NO_COLOR is set.</summary>
    public static CliHost FromProcess()
    {
        var noColor = !string.IsNullOrEmpty(System.Environment.GetEnvironmentVariable("NO_COLOR"));
        var interactive = !Console.IsOutputRedirected && !Console.IsInputRedirected && !Console.IsErrorRedirected;
        return new CliHost
        {
            Out = Create(Console.Out, Console.IsOutputRedirected, noColor, interactive),
            Error = Create(Console.Error, Console.IsErrorRedirected, noColor, interactive),
            Interactive = interactive,
            OutputIsTerminal = !Console.IsOutputRedirected,
        };
    }

    /// <summary>A console over <paramref name="writer"/>: no colour, not interactive, wide (tests, redirected output).</summary>
    public static IAnsiConsole Plain(TextWriter writer, int width = 200)
    {
        var console = Create(writer, redirected: true, noColor: true, interactive: false);
        console.Profile.Width = width;
        return console;
    }

    private static IAnsiConsole Create(TextWriter writer, bool redirected, bool noColor, bool interactive) =>
        AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = redirected || noColor ? AnsiSupport.No : AnsiSupport.Detect,
            ColorSystem = redirected || noColor ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
}
