using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

public sealed class EventsSettings : KeyIdSettings
{
    [CommandOption("--limit <N>")]
    public int? Limit { get; init; }

    [CommandOption("--cursor <CURSOR>")]
    public string? Cursor { get; init; }
}
