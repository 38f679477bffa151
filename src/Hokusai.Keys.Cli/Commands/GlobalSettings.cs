using System.ComponentModel;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

/// <summary>Options every command takes.</summary>
public class GlobalSettings : CommandSettings
{
    [CommandOption("--json")]
    [Description("Machine output: the API's JSON shapes (docs/cli.md), no colour, no spinner.")]
    public bool Json { get; init; }

    [CommandOption("--utc")]
    [Description("Tables show times as UTC (2026-11-30 14:05Z) instead of relative (3 min ago, in 89 days).")]
    public bool Utc { get; init; }

    [CommandOption("--api-url <URL>")]
    [Description("API base URL. Default: HOKUSAI_API_URL, then the config file profile, then http://localhost:7071.")]
    public string? ApiUrl { get; init; }

    [CommandOption("--api-key <KEY>")]
    [Description("Management API key. Default: HOKUSAI_API_KEY, then the config file profile.")]
    public string? ApiKey { get; init; }

    [CommandOption("--profile <NAME>")]
    [Description("Config file profile. Default: HOKUSAI_PROFILE, then the file's defaultProfile, then 'default'.")]
    public string? Profile { get; init; }
}
