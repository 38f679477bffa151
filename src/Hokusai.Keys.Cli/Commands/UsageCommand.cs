using System.Globalization;
using Hokusai.Keys.Cli.Output;
using Hokusai.Keys.Client.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Hokusai.Keys.Cli.Commands;

public sealed class UsageCommand(CliHost host) : CliCommand<UsageSettings>(host)
{
    public override async Task<int> ExecuteAsync(CommandContext context, UsageSettings settings, CancellationToken cancellationToken)
    {
        var now = Host.Time.GetUtcNow();
        var to = settings.To is null ? now : CliParsers.Instant(settings.To, "--to");
        var from = settings.From is not null ? CliParsers.Instant(settings.From, "--from") : to.AddDays(-(settings.Days ?? 7));
        if (from >= to) throw CliParsers.Usage("--from must be before --to.");
        var granularity = settings.Granularity ?? GranularityFor(to - from);

        using var client = CreateClient(settings);
        var report = await CallAsync(settings, "Fetching usage…", () => client.GetUsageAsync(settings.Id, from, to, granularity, cancellationToken));
        if (settings.Json)
        {
            WriteJson(report);
            return ExitCodes.Ok;
        }

        if (!Host.OutputIsTerminal)
        {
            ListWriter.WriteTsv(Writer, TsvColumns, report.Buckets);
            return ExitCodes.Ok;
        }

        long total = report.Buckets.Sum(b => b.Total), allowed = report.Buckets.Sum(b => b.Allowed);
        var denied = report.Buckets.SelectMany(b => b.Denied).GroupBy(d => d.Key).ToDictionary(g => g.Key, g => g.Sum(d => d.Value));
        Out.MarkupLine($"Usage of [bold]{Esc(report.KeyId)}[/] per {Esc(report.Granularity)}, {When(from)} – {When(to)}");
        if (report.Buckets.Count == 0 || total == 0)
        {
            Out.WriteLine("No verifications in this period.");
            return ExitCodes.Ok;
        }
        Out.Write(Chart(report, Out.Profile.Width));
        var summary = $"Total {total:N0}, allowed {allowed:N0}, denied {total - allowed:N0}";
        if (denied.Count > 0) summary += " (" + string.Join(", ", denied.OrderByDescending(d => d.Value).Select(d => $"{d.Key} {d.Value:N0}")) + ")";
        var cost = report.Buckets.Sum(b => b.Cost);
        if (cost > 0) summary += $", cost {cost.ToString("0.####", CultureInfo.InvariantCulture)}";
        Out.WriteLine(summary + ".");
        return ExitCodes.Ok;
    }

    /// <summary>Hourly up to 36 hours (at most 37 rows before compression), daily beyond.</summary>
    internal static string GranularityFor(TimeSpan range) => range <= TimeSpan.FromHours(36) ? UsageGranularity.Hour : UsageGranularity.Day;

    private static readonly ListColumn<ApiKeyUsageBucket>[] TsvColumns =
    [
        new("Start", "start", b => "", b => RelativeTime.Iso(b.Start)),
        new("Total", "total", b => "", b => b.Total.ToString(CultureInfo.InvariantCulture)),
        new("Allowed", "allowed", b => "", b => b.Allowed.ToString(CultureInfo.InvariantCulture)),
        new("Denied", "denied", b => "", b => (b.Total - b.Allowed).ToString(CultureInfo.InvariantCulture)),
        new("Denied by code", "deniedByCode", b => "", b => string.Join(',', b.Denied.Where(d => d.Value > 0).OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key}={d.Value}"))),
        new("Cost", "cost", b => "", b => b.Cost.ToString("0.####", CultureInfo.InvariantCulture)),
    ];

    /// <summary>
    /// One row per bucket with a bar scaled to the busiest bucket: allowed as █ (green), denied as ▒ (red), so the denied
    /// share shows without colour too; a run of two or more empty buckets is one "no verifications" row.
    /// </summary>
    private static Table Chart(ApiKeyUsage report, int width)
    {
        var hourly = report.Granularity == UsageGranularity.Hour;
        var unit = hourly ? "hour" : "day";
        var rows = new List<(string Label, string Bar, string Total, string Denied)>();
        var busiest = report.Buckets.Max(b => b.Total);
        var labels = report.Buckets.Select(b => b.Start.UtcDateTime.ToString(hourly ? "MM-dd HH:00" : "yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList();
        // label, total and denied columns with two spaces between columns: the bar gets the rest, up to 60.
        var totalWidth = report.Buckets.Max(b => b.Total.ToString("N0", CultureInfo.InvariantCulture).Length);
        var barWidth = Math.Clamp(width - labels.Max(l => l.Length) - totalWidth - "100% denied".Length - 3 * 2, 10, 60);
        for (var i = 0; i < report.Buckets.Count; i++)
        {
            var bucket = report.Buckets[i];
            var run = 0;
            while (i + run < report.Buckets.Count && report.Buckets[i + run].Total == 0) run++;
            if (run >= 2)
            {
                rows.Add((labels[i], $"[grey]· no verifications ({run} {unit}s)[/]", "", ""));
                i += run - 1;
                continue;
            }
            var deniedCount = bucket.Total - bucket.Allowed;
            var length = bucket.Total == 0 ? 0 : Math.Max(1, (int)Math.Round((double)bucket.Total / busiest * barWidth));
            var deniedLength = deniedCount == 0 ? 0 : Math.Clamp((int)Math.Round((double)deniedCount / bucket.Total * length), 1, length);
            var bar = $"[green]{new string('█', length - deniedLength)}[/][red]{new string('▒', deniedLength)}[/]";
            var share = deniedCount == 0 ? "" : $"{Math.Max(1, (int)Math.Round(100.0 * deniedCount / bucket.Total))}% denied";
            rows.Add((labels[i], bar, bucket.Total.ToString("N0", CultureInfo.InvariantCulture), share));
        }

        var table = new Table().Border(TableBorder.None).HideHeaders()
            .AddColumn(new TableColumn("") { NoWrap = true, Padding = new Padding(0, 0, 2, 0) })
            .AddColumn(new TableColumn("") { NoWrap = true, Width = barWidth, Padding = new Padding(0, 0, 2, 0) })
            .AddColumn(new TableColumn("") { NoWrap = true, Alignment = Justify.Right, Padding = new Padding(0, 0, 2, 0) })
            .AddColumn(new TableColumn("") { NoWrap = true, Padding = new Padding(0) });
        foreach (var (label, bar, count, share) in rows) table.AddRow(new Text(label), new Markup(bar), new Text(count), new Markup($"[red]{share}[/]"));
        return table;
    }
}
