using Hokusai.Keys.Cli.Output;
using Hokusai.Keys.Client.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

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
    private List<ListColumn<ApiKeyEvent>> EventColumns(EventsSettings settings) =>
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
