using System.ComponentModel;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

public sealed class RotateKeySettings : KeyIdSettings
{
    [CommandOption("--grace <DURATION>")]
    [Description("How long the old key keeps working: 24h (server default 1 day), 0 revokes it now.")]
    public string? Grace { get; init; }

    [CommandOption("--expires-in <DURATION>")]
    [Description("Lifetime of the new key, e.g. 90d (default: it expires when the old key would have).")]
    public string? ExpiresIn { get; init; }
}
