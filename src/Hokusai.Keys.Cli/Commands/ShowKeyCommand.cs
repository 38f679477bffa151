using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

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
