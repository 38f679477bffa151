using System.ComponentModel;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

public sealed class ListKeysSettings : GlobalSettings
{
    [CommandOption("--owner <OWNER>")]
    [Description("Only this owner's keys.")]
    public string? Owner { get; init; }

    [CommandOption("--status <STATUS>")]
    [Description("active, suspended, revoked or expired.")]
    public string? Status { get; init; }

    [CommandOption("--limit <N>")]
    [Description("Page size (1–100, default 50).")]
    public int? Limit { get; init; }

    [CommandOption("--cursor <CURSOR>")]
    [Description("Continue from a previous page's nextCursor.")]
    public string? Cursor { get; init; }

    [CommandOption("--rotation-due")]
    [Description("Only keys whose max-age date (rotationDueAt) is within 14 days or past; follows the cursors.")]
    public bool RotationDue { get; init; }

    [CommandOption("--all")]
    [Description("Follow the cursors: every matching key.")]
    public bool All { get; init; }
}
