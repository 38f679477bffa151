using Spectre.Console;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

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
