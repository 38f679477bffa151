using System.ComponentModel;
using System.Globalization;
using Hokusai.Keys.Client;
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
        var granularity = settings.Granularity ?? ((to - from) <= TimeSpan.FromDays(2) ? UsageGranularity.Hour : UsageGranularity.Day);

        using var client = CreateClient(settings);
        var report = await CallAsync(settings, "Fetching usage…", () => client.GetUsageAsync(settings.Id, from, to, granularity, cancellationToken));
        if (settings.Json)
        {
            WriteJson(report);
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
        var format = report.Granularity == UsageGranularity.Hour ? "MM-dd HH:00" : "yyyy-MM-dd";
        var chart = new BarChart().Width(Math.Min(100, Math.Max(40, Out.Profile.Width - 2))).ShowValues();
        foreach (var bucket in report.Buckets)
        {
            var label = bucket.Start.UtcDateTime.ToString(format, CultureInfo.InvariantCulture);
            chart.AddItem(label, bucket.Total, bucket.Total == bucket.Allowed ? Color.Green : Color.Yellow);
        }
        Out.Write(chart);
        var summary = $"Total {total:N0}, allowed {allowed:N0}, denied {total - allowed:N0}";
        if (denied.Count > 0) summary += " (" + string.Join(", ", denied.OrderByDescending(d => d.Value).Select(d => $"{d.Key} {d.Value:N0}")) + ")";
        var cost = report.Buckets.Sum(b => b.Cost);
        if (cost > 0) summary += $", cost {cost.ToString("0.####", CultureInfo.InvariantCulture)}";
        Out.WriteLine(summary + ".");
        return ExitCodes.Ok;
    }
}
