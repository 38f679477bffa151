using System.ComponentModel;
using Hokusai.Keys.Client;
using Hokusai.Keys.Client.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

public sealed class ListKeysCommand(CliHost host) : CliCommand<ListKeysSettings>(host)
{
    public override async Task<int> ExecuteAsync(CommandContext context, ListKeysSettings settings, CancellationToken cancellationToken)
    {
        using var client = CreateClient(settings);
        var page = await CallAsync(settings, "Listing keys…", async () =>
        {
            if (!settings.All) return await client.ListKeysAsync(settings.Owner, settings.Status, settings.Limit, settings.Cursor, cancellationToken);
            var all = new List<ApiKey>();
            string? cursor = settings.Cursor;
            do
            {
                var next = await client.ListKeysAsync(settings.Owner, settings.Status, settings.Limit ?? 100, cursor, cancellationToken);
                all.AddRange(next.Items);
                cursor = next.NextCursor;
            } while (cursor is not null);
            return new ApiKeyPage { Items = all };
        });
        if (settings.Json)
        {
            WriteJson(page);
            return ExitCodes.Ok;
        }
        if (page.Items.Count == 0)
        {
            Out.WriteLine("No keys.");
            return ExitCodes.Ok;
        }
        var table = new Table().AddColumns("ID", "Name", "Owner", "Env", "Status", "Scopes", "Created", "Expires", "Last used");
        foreach (var k in page.Items)
        {
            var status = k.Status switch { "active" => "[green]active[/]", "revoked" => "[red]revoked[/]", _ => "[yellow]" + Esc(k.Status) + "[/]" };
            table.AddRow(new Text(k.Id), new Text(k.Name), new Text(k.Owner), new Text(k.Environment), new Markup(status),
                new Text(string.Join(", ", k.Scopes)), new Text(When(k.CreatedAt)), new Text(When(k.ExpiresAt)), new Text(When(k.LastUsedAt)));
        }
        Out.Write(table);
        if (page.NextCursor is not null) Out.MarkupLine($"More keys: --cursor {Esc(page.NextCursor)} (or --all).");
        return ExitCodes.Ok;
    }
}
