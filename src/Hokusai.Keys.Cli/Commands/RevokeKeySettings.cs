using System.ComponentModel;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

public sealed class RevokeKeySettings : KeyIdSettings
{
    [CommandOption("-y|--yes")]
    [Description("Do not ask; required when not interactive.")]
    public bool Yes { get; init; }
}
