using Hokusai.Keys.Client.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

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
