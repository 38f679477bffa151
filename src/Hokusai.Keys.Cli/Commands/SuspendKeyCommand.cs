using Spectre.Console;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

/// <summary>Suspends a key. Unlike revoke-key it does not ask first: resume-key undoes it.</summary>
public sealed class SuspendKeyCommand(CliHost host) : CliCommand<KeyIdSettings>(host)
{
    public override async Task<int> ExecuteAsync(CommandContext context, KeyIdSettings settings, CancellationToken cancellationToken)
    {
        using var client = CreateClient(settings);
        var key = await CallAsync(settings, "Suspending key…", () => client.SuspendKeyAsync(settings.Id, cancellationToken));
        if (settings.Json) WriteJson(key);
        else Out.MarkupLine($"[yellow]Suspended[/] key {Esc(key.Id)} ('{Esc(key.Name)}') at {When(key.SuspendedAt)}; resume it with resume-key.");
        return ExitCodes.Ok;
    }
}
