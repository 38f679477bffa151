using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

public sealed class UsageSettings : KeyIdSettings
{
    [CommandOption("--days <N>")]
    [Description("The last N days (default 7).")]
    public int? Days { get; init; }

    [CommandOption("--from <WHEN>")]
    [Description("Start (ISO 8601, UTC when no offset); with --to instead of --days.")]
    public string? From { get; init; }

    [CommandOption("--to <WHEN>")]
    [Description("End (ISO 8601; default now).")]
    public string? To { get; init; }

    [CommandOption("--granularity <G>")]
    [Description("hour or day (default: hour for up to 36 hours, else day).")]
    public string? Granularity { get; init; }

    public override ValidationResult Validate() =>
        Days is not null && (From is not null || To is not null) ? ValidationResult.Error("Give --days or --from/--to, not both.")
        : Days is <= 0 ? ValidationResult.Error("--days must be positive.")
        : Granularity is not null and not ("hour" or "day") ? ValidationResult.Error("--granularity must be hour or day.")
        : ValidationResult.Success();
}
