using System.ComponentModel;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

public sealed class UpdateKeySettings : KeyIdSettings
{
    [CommandOption("--name <NAME>")]
    public string? Name { get; init; }

    [CommandOption("--scopes <SCOPES>")]
    [Description("Comma-separated scopes replacing the current ones ('' for none).")]
    public string? Scopes { get; init; }

    [CommandOption("--rate-limit <RATE>")]
    [Description("As for create-key (a plain number is per minute), or 'none' to remove.")]
    public string? RateLimit { get; init; }

    [CommandOption("--quota <QUOTA>")]
    [Description("1000000/month, 5000/day, or 'none' to remove.")]
    public string? Quota { get; init; }

    [CommandOption("--allowed-ips <CIDRS>")]
    [Description("Comma-separated IPs/CIDRs replacing the current ones ('' for any).")]
    public string? AllowedIps { get; init; }

    [CommandOption("--expires-in <DURATION>")]
    public string? ExpiresIn { get; init; }

    [CommandOption("--expires-at <WHEN>")]
    [Description("ISO 8601, or 'never' to remove the expiry.")]
    public string? ExpiresAt { get; init; }

    [CommandOption("--meta <KEY=VALUE>")]
    [Description("Metadata pair, repeatable; the given pairs replace the metadata.")]
    public string[] Meta { get; init; } = [];

    [CommandOption("--leak-policy <POLICY>")]
    [Description("What a leak report does: 'revoke' (default) or 'notify' (flag the key, keep it working; a loosening).")]
    public string? LeakPolicy { get; init; }

    [CommandOption("--clear-meta")]
    [Description("Remove all metadata.")]
    public bool ClearMeta { get; init; }
}
