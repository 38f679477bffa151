using System.ComponentModel;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

/// <summary>Arguments of <c>hokusai auth report-leak</c>.</summary>
public sealed class ReportLeakSettings : GlobalSettings
{
    [CommandArgument(0, "<KEY>")]
    [Description("The leaked key (hk_live_… or hk_test_…): presenting it is the proof, no management key is needed.")]
    public string Key { get; init; } = "";

    [CommandOption("--url <URL>")]
    [Description("Where the key was found (recorded in the key's key.leaked event).")]
    public string? Url { get; init; }
}
