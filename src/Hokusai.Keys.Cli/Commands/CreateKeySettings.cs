using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

public sealed class CreateKeySettings : GlobalSettings
{
    [CommandOption("--name <NAME>")]
    [Description("Name of the key (required).")]
    public string? Name { get; init; }

    [CommandOption("--owner <OWNER>")]
    [Description("Owner (admins only; default: the caller's owner, or for an admin the new key's own id).")]
    public string? Owner { get; init; }

    [CommandOption("--env <ENV>")]
    [Description("live (default) or test: the key starts with hk_live_ or hk_test_.")]
    public string? Env { get; init; }

    [CommandOption("--scopes <SCOPES>")]
    [Description("Comma-separated scopes, e.g. models:read,models:write.")]
    public string? Scopes { get; init; }

    [CommandOption("--rate-limit <RATE>")]
    [Description("Requests per window: 10000 (a plain number is PER MINUTE), 100/s, 10000/h, 100000/d. A token bucket: capacity = limit, refilled continuously at limit/window, so bursts up to the limit are allowed.")]
    public string? RateLimit { get; init; }

    [CommandOption("--quota <QUOTA>")]
    [Description("Usage quota per day or month, e.g. 1000000/month or 5000/day.")]
    public string? Quota { get; init; }

    [CommandOption("--allowed-ips <CIDRS>")]
    [Description("Comma-separated IPs or CIDR ranges the key may be used from.")]
    public string? AllowedIps { get; init; }

    [CommandOption("--expires-in <DURATION>")]
    [Description("Lifetime: 90d, 24h, 30m, 2w.")]
    public string? ExpiresIn { get; init; }

    [CommandOption("--expires-at <WHEN>")]
    [Description("Expiry as ISO 8601 (UTC when no offset), e.g. 2026-12-31T00:00:00Z.")]
    public string? ExpiresAt { get; init; }

    [CommandOption("--meta <KEY=VALUE>")]
    [Description("Metadata pair; repeat for more.")]
    public string[] Meta { get; init; } = [];

    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(Name) ? ValidationResult.Error("--name is required.")
        : ExpiresIn is not null && ExpiresAt is not null ? ValidationResult.Error("Give --expires-in or --expires-at, not both.")
        : Env is not null && Env is not ("live" or "test") ? ValidationResult.Error("--env must be live or test.")
        : ValidationResult.Success();
}
