using System.ComponentModel;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

public sealed class VerifySettings : GlobalSettings
{
    [CommandArgument(0, "<KEY>")]
    [Description("The key to check (hk_live_… or hk_test_…).")]
    public string Key { get; init; } = "";

    [CommandOption("--ip <IP>")]
    [Description("Check as if called from this address (IP allow-lists).")]
    public string? Ip { get; init; }

    [CommandOption("--scopes <SCOPES>")]
    [Description("Comma-separated scopes the key must have.")]
    public string? Scopes { get; init; }
}
