using System.ComponentModel;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

public sealed class LoginSettings : GlobalSettings
{
    [CommandOption("--no-verify")]
    [Description("Store the key without checking it against the API.")]
    public bool NoVerify { get; init; }

    [CommandOption("--default")]
    [Description("Make this profile the file's default profile.")]
    public bool MakeDefault { get; init; }
}
