using Spectre.Console;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

/// <summary>
/// <c>hokusai auth report-leak</c>: revokes a leaked key (or flags it when its leak policy is notify). Exit code 0 when
/// an active key was revoked or flagged, 3 when the key was not an active key of the API.
/// </summary>
public sealed class ReportLeakCommand(CliHost host) : CliCommand<ReportLeakSettings>(host)
{
    public override async Task<int> ExecuteAsync(CommandContext context, ReportLeakSettings settings, CancellationToken cancellationToken)
    {
        using var client = CreateClient(settings, requireKey: false);
        var result = await CallAsync(settings, "Reporting…", () => client.ReportLeakAsync(settings.Key, settings.Url, cancellationToken));
        if (settings.Json) WriteJson(result);
        else if (!result.IsTruePositive) Out.MarkupLine($"[yellow]Not an active key[/] (sha256 {Esc(result.TokenHash)}): nothing to revoke.");
        else if (result.Action == "flagged") Out.MarkupLine($"[yellow]Flagged[/] (sha256 {Esc(result.TokenHash)}): the key's leak policy is notify, so it keeps working. Rotate it.");
        else Out.MarkupLine($"[red]Revoked[/] the leaked key (sha256 {Esc(result.TokenHash)}).");
        return result.IsTruePositive ? ExitCodes.Ok : ExitCodes.Invalid;
    }
}
