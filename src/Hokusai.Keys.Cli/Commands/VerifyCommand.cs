using Spectre.Console;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

public sealed class VerifyCommand(CliHost host) : CliCommand<VerifySettings>(host)
{
    public override async Task<int> ExecuteAsync(CommandContext context, VerifySettings settings, CancellationToken cancellationToken)
    {
        using var client = CreateClient(settings, requireKey: false);
        var result = await CallAsync(settings, "Verifying…", () =>
            client.VerifyAsync(settings.Key, settings.Ip, settings.Scopes is null ? null : CliParsers.List(settings.Scopes), cancellationToken));
        if (settings.Json) WriteJson(result);
        else if (result.Valid)
        {
            var k = result.Key!;
            Out.MarkupLine($"[green]VALID[/] key {Esc(k.Id)} ('{Esc(k.Name)}', owner {Esc(k.Owner)}, {Esc(k.Environment)}), scopes: {Esc(k.Scopes is { Count: > 0 } s ? string.Join(", ", s) : "-")}");
            if (result.RateLimit is { } r) Out.WriteLine($"Rate limit: {r.Remaining} of {r.Limit} left, full in {r.ResetSeconds:0.#} s.");
            if (result.Quota is { } q) Out.WriteLine($"Quota: {q.Remaining} of {q.Limit} left, resets in {q.ResetSeconds:0} s.");
        }
        else
        {
            Out.MarkupLine($"[red]{Esc(result.Code)}[/]{(result.Key is { } k ? " (key " + Esc(k.Id) + ")" : "")}: the key is not valid.");
        }
        return result.Valid ? ExitCodes.Ok : ExitCodes.Invalid;
    }
}
