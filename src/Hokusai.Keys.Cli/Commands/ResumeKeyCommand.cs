using Spectre.Console;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

public sealed class ResumeKeyCommand(CliHost host) : CliCommand<KeyIdSettings>(host)
{
    public override async Task<int> ExecuteAsync(CommandContext context, KeyIdSettings settings, CancellationToken cancellationToken)
    {
        using var client = CreateClient(settings);
        var key = await CallAsync(settings, "Resuming key…", () => client.ResumeKeyAsync(settings.Id, cancellationToken));
        if (settings.Json) WriteJson(key);
        else Out.MarkupLine($"[green]Resumed[/] key {Esc(key.Id)} ('{Esc(key.Name)}'): it is {Esc(key.Status)}.");
        return ExitCodes.Ok;
    }
}
