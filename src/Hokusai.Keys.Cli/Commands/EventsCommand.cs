using System.ComponentModel;
using Hokusai.Keys.Client;
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
        if (page.Items.Count == 0)
        {
            Out.WriteLine("No events.");
            return ExitCodes.Ok;
        }
        var table = new Table().AddColumns("When", "Event", "By (key)", "By (owner)", "IP", "Data");
        foreach (var e in page.Items)
            table.AddRow(new Text(When(e.OccurredAt)), new Text(e.Type), new Text(e.Actor.KeyId), new Text(e.Actor.Owner), new Text(e.Actor.Ip ?? "-"),
                new Text(string.Join(", ", e.Data.Select(d => $"{d.Key}={d.Value}"))));
        Out.Write(table);
        if (page.NextCursor is not null) Out.MarkupLine($"More events: --cursor {Esc(page.NextCursor)}");
        return ExitCodes.Ok;
    }
}
