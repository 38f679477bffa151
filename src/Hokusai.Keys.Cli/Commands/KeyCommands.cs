using System.ComponentModel;
using Hokusai.Keys.Cli.Output;
using Hokusai.Keys.Client;
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

public sealed class CreateKeyCommand(CliHost host) : CliCommand<CreateKeySettings>(host)
{
    public override async Task<int> ExecuteAsync(CommandContext context, CreateKeySettings settings, CancellationToken cancellationToken)
    {
        var request = new CreateKeyOptions
        {
            Name = settings.Name,
            Owner = settings.Owner,
            Environment = settings.Env,
            Scopes = settings.Scopes is null ? null : CliParsers.List(settings.Scopes),
            RateLimit = settings.RateLimit is null ? null : CliParsers.RateLimit(settings.RateLimit),
            Quota = settings.Quota is null ? null : CliParsers.Quota(settings.Quota),
            AllowedIps = settings.AllowedIps is null ? null : CliParsers.List(settings.AllowedIps),
            ExpiresIn = settings.ExpiresIn is null ? null : CliParsers.Duration(settings.ExpiresIn, "--expires-in"),
            ExpiresAt = settings.ExpiresAt is null ? null : CliParsers.Instant(settings.ExpiresAt, "--expires-at"),
            Metadata = settings.Meta.Length == 0 ? null : CliParsers.Metadata(settings.Meta),
        };
        using var client = CreateClient(settings);
        var key = await CallAsync(settings, "Creating key…", () => client.CreateKeyAsync(request, cancellationToken));
        if (settings.Json)
        {
            WriteJson(key);
            return ExitCodes.Ok;
        }
        Out.MarkupLine($"[green]Created key[/] '{Esc(key.Name)}' (id {Esc(key.Id)}, owner {Esc(key.Owner)}).");
        WriteKeyDetails(key);
        WritePlaintextKey(key.Key ?? "");
        return ExitCodes.Ok;
    }
}

public sealed class ListKeysSettings : GlobalSettings
{
    [CommandOption("--owner <OWNER>")]
    [Description("Only this owner's keys.")]
    public string? Owner { get; init; }

    [CommandOption("--status <STATUS>")]
    [Description("active, revoked or expired.")]
    public string? Status { get; init; }

    [CommandOption("--limit <N>")]
    [Description("Page size (1–100, default 50).")]
    public int? Limit { get; init; }

    [CommandOption("--cursor <CURSOR>")]
    [Description("Continue from a previous page's nextCursor.")]
    public string? Cursor { get; init; }

    [CommandOption("--all")]
    [Description("Follow the cursors: every matching key.")]
    public bool All { get; init; }
}

public sealed class ListKeysCommand(CliHost host) : CliCommand<ListKeysSettings>(host)
{
    public override async Task<int> ExecuteAsync(CommandContext context, ListKeysSettings settings, CancellationToken cancellationToken)
    {
        using var client = CreateClient(settings);
        var page = await CallAsync(settings, "Listing keys…", async () =>
        {
            if (!settings.All) return await client.ListKeysAsync(settings.Owner, settings.Status, settings.Limit, settings.Cursor, cancellationToken);
            var all = new List<ApiKey>();
            string? cursor = settings.Cursor;
            do
            {
                var next = await client.ListKeysAsync(settings.Owner, settings.Status, settings.Limit ?? 100, cursor, cancellationToken);
                all.AddRange(next.Items);
                cursor = next.NextCursor;
            } while (cursor is not null);
            return new ApiKeyPage { Items = all };
        });
        if (settings.Json)
        {
            WriteJson(page);
            return ExitCodes.Ok;
        }
        if (page.Items.Count == 0 && Host.OutputIsTerminal)
        {
            Out.WriteLine("No keys.");
            return ExitCodes.Ok;
        }
        WriteList(KeyColumns(settings), page.Items);
        if (page.NextCursor is not null) WriteHint($"More keys: --cursor {page.NextCursor} (or --all).");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// At narrow widths Created goes first, then Scopes, Env, Owner, Last used, Expires; ID, Name and Status always stay.
    /// Name, Owner and Scopes are cut with an ellipsis before anything is dropped. docs/cli.md, "Output".
    /// </summary>
    private List<ListColumn<ApiKey>> KeyColumns(ListKeysSettings settings) =>
    [
        new("ID", "id", k => k.Id, k => k.Id),
        new("Name", "name", k => k.Name, k => k.Name) { ShrinkTo = 12 },
        new("Owner", "owner", k => k.Owner, k => k.Owner) { ShrinkTo = 10, DropOrder = 4 },
        new("Env", "environment", k => k.Environment, k => k.Environment) { DropOrder = 3 },
        new("Status", "status", k => k.Status, k => k.Status) { CellStyle = k => StatusStyle(k.Status) },
        new("Scopes", "scopes", k => k.Scopes.Count == 0 ? "-" : string.Join(", ", k.Scopes), k => string.Join(',', k.Scopes)) { ShrinkTo = 12, DropOrder = 2 },
        new("Created", "createdAt", k => Moment(k.CreatedAt, settings), k => RelativeTime.Iso(k.CreatedAt)) { DropOrder = 1 },
        new("Expires", "expiresAt", k => Moment(k.ExpiresAt, settings), k => RelativeTime.Iso(k.ExpiresAt)) { DropOrder = 6 },
        new("Last used", "lastUsedAt", k => Moment(k.LastUsedAt, settings), k => RelativeTime.Iso(k.LastUsedAt)) { DropOrder = 5 },
        new("Revoked", "revokedAt", k => Moment(k.RevokedAt, settings), k => RelativeTime.Iso(k.RevokedAt)) { InTable = false },
    ];

    private static Style StatusStyle(string status) => status switch
    {
        "active" => new Style(Color.Green),
        "revoked" => new Style(Color.Red),
        _ => new Style(Color.Yellow),
    };
}

public class KeyIdSettings : GlobalSettings
{
    [CommandArgument(0, "<ID>")]
    [Description("The key's id.")]
    public string Id { get; init; } = "";
}

public sealed class ShowKeyCommand(CliHost host) : CliCommand<KeyIdSettings>(host)
{
    public override async Task<int> ExecuteAsync(CommandContext context, KeyIdSettings settings, CancellationToken cancellationToken)
    {
        using var client = CreateClient(settings);
        var key = await CallAsync(settings, "Fetching key…", () => client.GetKeyAsync(settings.Id, cancellationToken));
        if (settings.Json) WriteJson(key);
        else WriteKeyDetails(key);
        return ExitCodes.Ok;
    }
}

public sealed class RevokeKeySettings : KeyIdSettings
{
    [CommandOption("-y|--yes")]
    [Description("Do not ask; required when not interactive.")]
    public bool Yes { get; init; }
}

public sealed class RevokeKeyCommand(CliHost host) : CliCommand<RevokeKeySettings>(host)
{
    public override async Task<int> ExecuteAsync(CommandContext context, RevokeKeySettings settings, CancellationToken cancellationToken)
    {
        if (!settings.Yes)
        {
            if (!Host.Interactive)
                throw CliParsers.Usage($"Refusing to revoke {settings.Id} without --yes when not interactive.");
            if (!Out.Confirm($"Revoke key [bold]{Esc(settings.Id)}[/]? Every client using it will be refused.", defaultValue: false))
            {
                Out.WriteLine("Not revoked.");
                return ExitCodes.Error;
            }
        }
        using var client = CreateClient(settings);
        var key = await CallAsync(settings, "Revoking key…", () => client.RevokeKeyAsync(settings.Id, cancellationToken));
        if (settings.Json) WriteJson(key);
        else Out.MarkupLine($"[red]Revoked[/] key {Esc(key.Id)} ('{Esc(key.Name)}') at {When(key.RevokedAt)}.");
        return ExitCodes.Ok;
    }
}

public sealed class RotateKeySettings : KeyIdSettings
{
    [CommandOption("--grace <DURATION>")]
    [Description("How long the old key keeps working: 24h (server default 1 day), 0 revokes it now.")]
    public string? Grace { get; init; }

    [CommandOption("--expires-in <DURATION>")]
    [Description("Lifetime of the new key, e.g. 90d (default: it expires when the old key would have).")]
    public string? ExpiresIn { get; init; }
}

public sealed class RotateKeyCommand(CliHost host) : CliCommand<RotateKeySettings>(host)
{
    public override async Task<int> ExecuteAsync(CommandContext context, RotateKeySettings settings, CancellationToken cancellationToken)
    {
        var grace = settings.Grace is null ? (TimeSpan?)null : CliParsers.Duration(settings.Grace, "--grace");
        var expiresIn = settings.ExpiresIn is null ? (TimeSpan?)null : CliParsers.Duration(settings.ExpiresIn, "--expires-in");
        using var client = CreateClient(settings);
        var rotated = await CallAsync(settings, "Rotating key…", () => client.RotateKeyAsync(settings.Id, grace, expiresIn, cancellationToken));
        if (settings.Json)
        {
            WriteJson(rotated);
            return ExitCodes.Ok;
        }
        Out.MarkupLine($"[green]Rotated[/] {Esc(rotated.Previous.Id)} → new key {Esc(rotated.Key.Id)} ('{Esc(rotated.Key.Name)}').");
        Out.MarkupLine(rotated.Previous.Status == "active" && rotated.Previous.ExpiresAt is { } until
            ? $"The old key keeps working until {When(until)}."
            : "The old key no longer works.");
        WritePlaintextKey(rotated.Key.Key ?? "");
        return ExitCodes.Ok;
    }
}

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

    [CommandOption("--clear-meta")]
    [Description("Remove all metadata.")]
    public bool ClearMeta { get; init; }
}

public sealed class UpdateKeyCommand(CliHost host) : CliCommand<UpdateKeySettings>(host)
{
    public override async Task<int> ExecuteAsync(CommandContext context, UpdateKeySettings settings, CancellationToken cancellationToken)
    {
        var update = new UpdateKeyOptions();
        if (settings.Name is not null) update.Name = settings.Name;
        if (settings.Scopes is not null) update.Scopes = CliParsers.List(settings.Scopes);
        if (settings.RateLimit is not null) update.RateLimit = IsNone(settings.RateLimit) ? null : CliParsers.RateLimit(settings.RateLimit);
        if (settings.Quota is not null) update.Quota = IsNone(settings.Quota) ? null : CliParsers.Quota(settings.Quota);
        if (settings.AllowedIps is not null) update.AllowedIps = CliParsers.List(settings.AllowedIps);
        if (settings.ExpiresIn is not null && settings.ExpiresAt is not null) throw CliParsers.Usage("Give --expires-in or --expires-at, not both.");
        if (settings.ExpiresIn is not null) update.ExpiresAt = Host.Time.GetUtcNow() + CliParsers.Duration(settings.ExpiresIn, "--expires-in");
        if (settings.ExpiresAt is not null) update.ExpiresAt = settings.ExpiresAt is "never" or "none" ? null : CliParsers.Instant(settings.ExpiresAt, "--expires-at");
        if (settings.ClearMeta) update.Metadata = new Dictionary<string, string>();
        if (settings.Meta.Length > 0) update.Metadata = CliParsers.Metadata(settings.Meta);
        if (update.IsEmpty) throw CliParsers.Usage("Nothing to change: give at least one of --name, --scopes, --rate-limit, --quota, --allowed-ips, --expires-in, --expires-at, --meta, --clear-meta.");

        using var client = CreateClient(settings);
        var key = await CallAsync(settings, "Updating key…", () => client.UpdateKeyAsync(settings.Id, update, cancellationToken));
        if (settings.Json) WriteJson(key);
        else
        {
            Out.MarkupLine($"[green]Updated[/] key {Esc(key.Id)}.");
            WriteKeyDetails(key);
        }
        return ExitCodes.Ok;
    }

    private static bool IsNone(string value) => value.Trim() is "none" or "off" or "";
}

public sealed class EventsSettings : KeyIdSettings
{
    [CommandOption("--limit <N>")]
    public int? Limit { get; init; }

    [CommandOption("--cursor <CURSOR>")]
    public string? Cursor { get; init; }
}

public sealed class EventsCommand(CliHost host) : CliCommand<EventsSettings>(host)
{
    public override async Task<int> ExecuteAsync(CommandContext context, EventsSettings settings, CancellationToken cancellationToken)
    {
        using var client = CreateClient(settings);
        var page = await CallAsync(settings, "Fetching events…", () => client.ListKeyEventsAsync(settings.Id, settings.Limit, settings.Cursor, cancellationToken));
        if (settings.Json)
        {
            WriteJson(page);
            return ExitCodes.Ok;
        }
        if (page.Items.Count == 0 && Host.OutputIsTerminal)
        {
            Out.WriteLine("No events.");
            return ExitCodes.Ok;
        }
        WriteList(EventColumns(settings), page.Items);
        if (page.NextCursor is not null) WriteHint($"More events: --cursor {page.NextCursor}");
        return ExitCodes.Ok;
    }

    /// <summary>At narrow widths IP goes first, then By (owner), By (key), Data; When and Event always stay.</summary>
    private List<ListColumn<KeyEvent>> EventColumns(EventsSettings settings) =>
    [
        new("When", "occurredAt", e => Moment(e.OccurredAt, settings), e => RelativeTime.Iso(e.OccurredAt)),
        new("Event", "type", e => e.Type, e => e.Type),
        new("Event id", "id", e => e.Id, e => e.Id) { InTable = false },
        new("Key", "keyId", e => e.KeyId, e => e.KeyId) { InTable = false },
        new("By (key)", "actorKeyId", e => e.Actor.KeyId, e => e.Actor.KeyId) { DropOrder = 3 },
        new("By (owner)", "actorOwner", e => e.Actor.Owner, e => e.Actor.Owner) { ShrinkTo = 10, DropOrder = 2 },
        new("IP", "actorIp", e => e.Actor.Ip ?? "-", e => e.Actor.Ip ?? "") { DropOrder = 1 },
        new("Data", "data", e => Pairs(e.Data, ", "), e => Pairs(e.Data, ",")) { ShrinkTo = 16, DropOrder = 4 },
    ];

    private static string Pairs(IReadOnlyDictionary<string, string> data, string separator) =>
        data.Count == 0 ? "" : string.Join(separator, data.Select(d => $"{d.Key}={d.Value}"));
}
