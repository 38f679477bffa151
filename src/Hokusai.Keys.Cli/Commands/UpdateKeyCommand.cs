using Hokusai.Keys.Client.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

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
        if (settings.LeakPolicy is not null)
            update.LeakPolicy = settings.LeakPolicy is "revoke" or "notify" ? settings.LeakPolicy : throw CliParsers.Usage("--leak-policy must be 'revoke' or 'notify'.");
        if (settings.ClearMeta) update.Metadata = new Dictionary<string, string>();
        if (settings.Meta.Length > 0) update.Metadata = CliParsers.Metadata(settings.Meta);
        if (update.IsEmpty) throw CliParsers.Usage("Nothing to change: give at least one of --name, --scopes, --rate-limit, --quota, --allowed-ips, --expires-in, --expires-at, --meta, --clear-meta, --leak-policy.");

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
