using System.ComponentModel;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

public class KeyIdSettings : GlobalSettings
{
    [CommandArgument(0, "<ID>")]
    [Description("The key's id.")]
    public string Id { get; init; } = "";
}
