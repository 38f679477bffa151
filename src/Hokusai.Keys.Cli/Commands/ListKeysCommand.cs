using Hokusai.Keys.Cli.Output;
using Hokusai.Keys.Client.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

public sealed class ListKeysCommand(CliHost host) : CliCommand<ListKeysSettings>(host)
{
    /// <summary>How far ahead <c>--rotation-due</c> looks (the server's first <c>key.rotation_due</c> reminder).</summary>
    public const int RotationDueDays = 14;

    public override async Task<int> ExecuteAsync(CommandContext context, ListKeysSettings settings, CancellationToken cancellationToken)
    {
        using var client = CreateClient(settings);
        var page = await CallAsync(settings, "Listing keys…", async () =>
        {
            if (!settings.All && !settings.RotationDue) return await client.ListKeysAsync(settings.Owner, settings.Status, settings.Limit, settings.Cursor, cancellationToken);
            var all = new List<ApiKey>();
            string? cursor = settings.Cursor;
            do
            {
                var next = await client.ListKeysAsync(settings.Owner, settings.Status, settings.Limit ?? 100, cursor, cancellationToken);
                all.AddRange(next.Items);
                cursor = next.NextCursor;
            } while (cursor is not null);
            if (settings.RotationDue)
            {
                // The server states each key's max-age date; the window is the first rotation reminder's.
                var horizon = Host.Time.GetUtcNow() + TimeSpan.FromDays(RotationDueDays);
                all = all.Where(k => k.RotationDueAt is { } due && due <= horizon).OrderBy(k => k.RotationDueAt).ToList();
            }
            return new ApiKeyPage { Items = all };
        });
        if (settings.Json)
        {
            WriteJson(page);
            return ExitCodes.Ok;
        }
        if (page.Items.Count == 0 && Host.OutputIsTerminal)
        {
            Out.WriteLine("No keys.");
            return ExitCodes.Ok;
        }
        var columns = KeyColumns(settings);
        if (settings.RotationDue)
            columns.Add(new("Rotate by", "rotationDueAt", k => Moment(k.RotationDueAt, settings), k => RelativeTime.Iso(k.RotationDueAt)));
        WriteList(columns, page.Items);
        if (page.NextCursor is not null) WriteHint($"More keys: --cursor {page.NextCursor} (or --all).");
        return ExitCodes.Ok;
    }

    /// <summary>
    /// At narrow widths Created goes first, then Scopes, Env, Owner, Last used, Expires; ID, Name and Status always stay.
    /// Name, Owner and Scopes are cut with an ellipsis before anything is dropped. docs/cli.md, "Output".
    /// </summary>
    private List<ListColumn<ApiKey>> KeyColumns(ListKeysSettings settings) =>
    [
        new("ID", "id", k => k.Id, k => k.Id),
        new("Name", "name", k => k.Name, k => k.Name) { ShrinkTo = 12 },
        new("Owner", "owner", k => k.Owner, k => k.Owner) { ShrinkTo = 10, DropOrder = 4 },
        new("Env", "environment", k => k.Environment, k => k.Environment) { DropOrder = 3 },
        new("Status", "status", k => k.Status, k => k.Status) { CellStyle = k => StatusStyle(k.Status) },
        new("Scopes", "scopes", k => k.Scopes.Count == 0 ? "-" : string.Join(", ", k.Scopes), k => string.Join(',', k.Scopes)) { ShrinkTo = 12, DropOrder = 2 },
        new("Created", "createdAt", k => Moment(k.CreatedAt, settings), k => RelativeTime.Iso(k.CreatedAt)) { DropOrder = 1 },
        new("Expires", "expiresAt", k => Moment(k.ExpiresAt, settings), k => RelativeTime.Iso(k.ExpiresAt)) { DropOrder = 6 },
        new("Last used", "lastUsedAt", k => Moment(k.LastUsedAt, settings), k => RelativeTime.Iso(k.LastUsedAt)) { DropOrder = 5 },
        new("Revoked", "revokedAt", k => Moment(k.RevokedAt, settings), k => RelativeTime.Iso(k.RevokedAt)) { InTable = false },
    ];

    private static Style StatusStyle(string status) => status switch
    {
        "active" => new Style(Color.Green),
        "revoked" => new Style(Color.Red),
        "suspended" => new Style(Color.Orange1),
        _ => new Style(Color.Yellow),
    };
}
