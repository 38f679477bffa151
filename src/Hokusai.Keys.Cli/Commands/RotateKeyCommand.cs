using Spectre.Console;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

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
