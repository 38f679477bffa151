using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Hokusai.Keys.Api;
using Hokusai.Keys.Azure;
using Hokusai.Keys.Azure.Usage;
using Hokusai.Keys.Storage;
using Hokusai.Keys.Testing;
using Hokusai.Keys.Usage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- ingest [events] [keys] [rate/s]</c>: usage ingestion through a real Azurite (started on a free port).
/// 1. drain: <c>events</c> events over <c>keys</c> keys are packed into queue messages (as the recorder does) and
///    enqueued; then the server's queue consumer is started and timed until every aggregate is complete.
/// 2. end to end: the real recorder is fed at <c>rate</c> events/s for 10 s while the consumer runs; reports drops
///    and the lag from the last event to complete aggregates.
/// Table writes = committed aggregate transactions (UsageIngestor.AggregateWrites) + LastUsedAt merges (≤ 1/min/key).
/// </summary>
public static class UsageIngestionBenchmark
{
    private static readonly System.Net.IPAddress ClientIp = System.Net.IPAddress.Parse("10.0.0.1");

    public static async Task<int> RunAsync(string[] args)
    {
        var events = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var keys = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        var rate = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5_000;
        var azurite = await SharedInfrastructure.AzuriteAsync();
        Console.WriteLine($"Usage ingestion benchmark: {events:N0} events over {keys} keys; end-to-end at {rate:N0}/s; {Environment.ProcessorCount} cores; Azurite in memory");

        await DrainAsync(azurite.ConnectionString, events, keys);
        await EndToEndAsync(azurite.ConnectionString, rate, TimeSpan.FromSeconds(10), keys);
        return 0;
    }

    private static IHost BuildHost(string connectionString, string prefix, bool consumer)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hokusai:Storage:ConnectionString"] = connectionString,
            ["Hokusai:Storage:TablePrefix"] = prefix,
            ["Hokusai:Redis:ConnectionString"] = "",
            ["Hokusai:Security:CachePepper"] = "benchmark-pepper-0123456789-0123456789",
            ["Hokusai:Usage:MaxPollIntervalMilliseconds"] = "100",
        });
        builder.Services.AddHokusaiKeysApi(builder.Configuration);
        if (consumer) builder.Services.AddHokusaiBackgroundWorkers(builder.Configuration);
        return builder.Build();
    }

    private static List<string> KeyIds(int keys) =>
        Enumerable.Range(0, keys).Select(i => "bench" + i.ToString("D11", CultureInfo.InvariantCulture)).ToList();

    private static async Task DrainAsync(string connectionString, int events, int keys)
    {
        var prefix = "b" + Guid.NewGuid().ToString("N")[..10];
        var ids = KeyIds(keys);
        using (var producer = BuildHost(connectionString, prefix, consumer: false))
        {
            await producer.Services.GetRequiredService<IKeyStore>().EnsureCreatedAsync(CancellationToken.None);
            var queues = producer.Services.GetRequiredService<UsageQueues>();
            await queues.EnsureCreatedAsync(CancellationToken.None);
            var now = DateTimeOffset.UtcNow;
            var all = Enumerable.Range(0, events).Select(i => new UsageEvent(ids[i % keys], "bench", now, i % 10 == 0 ? "RATE_LIMITED" : "VALID", ClientIp, 1)).ToList();
            var enqueue = Stopwatch.StartNew();
            var messages = new List<(string, BinaryData, int)>();
            foreach (var chunk in all.Chunk(2000)) messages.AddRange(UsageMessage.Pack(chunk));
            await Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (m, ct) => await queues.Usage.SendMessageAsync(m.Item2, cancellationToken: ct));
            Console.WriteLine($"  enqueue: {messages.Count:N0} messages ({events / (double)messages.Count:F0} events each) in {enqueue.Elapsed.TotalSeconds:F2} s");
        }

        using var host = BuildHost(connectionString, prefix, consumer: true);
        var reader = host.Services.GetRequiredService<IUsageReader>();
        var clock = Stopwatch.StartNew();
        await host.StartAsync();
        await WaitForTotalAsync(reader, ids, events, TimeSpan.FromMinutes(5));
        var seconds = clock.Elapsed.TotalSeconds;
        var ingestor = host.Services.GetRequiredService<UsageIngestor>();
        await host.StopAsync();
        Console.WriteLine($"  drain: {events:N0} events aggregated in {seconds:F2} s = {events / seconds:N0} events/s; " +
            $"{ingestor.AggregateWrites:N0} aggregate transactions = {ingestor.AggregateWrites * 1000.0 / events:F1} table writes per 1,000 events (+ {ingestor.LastUsedWrites:N0} LastUsedAt merges)");
    }

    private static async Task EndToEndAsync(string connectionString, int rate, TimeSpan duration, int keys)
    {
        var prefix = "b" + Guid.NewGuid().ToString("N")[..10];
        var ids = KeyIds(keys);
        using var host = BuildHost(connectionString, prefix, consumer: true);
        await host.Services.GetRequiredService<IKeyStore>().EnsureCreatedAsync(CancellationToken.None);
        await host.StartAsync();
        var recorder = host.Services.GetRequiredService<IUsageRecorder>();
        var reader = host.Services.GetRequiredService<IUsageReader>();
        var sent = 0;
        var clock = Stopwatch.StartNew();
        var tickEvents = rate / 100;
        for (var tick = 1; clock.Elapsed < duration; tick++)
        {
            var now = DateTimeOffset.UtcNow;
            for (var i = 0; i < tickEvents; i++, sent++)
                recorder.Record(new UsageEvent(ids[sent % keys], "bench", now, "VALID", ClientIp, 1));
            var wait = TimeSpan.FromMilliseconds(10 * tick) - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
        }
        var fed = clock.Elapsed.TotalSeconds;
        var lag = Stopwatch.StartNew();
        var complete = await WaitForTotalAsync(reader, ids, sent, TimeSpan.FromMinutes(2));
        var ingestor = host.Services.GetRequiredService<UsageIngestor>();
        var messages = await CountMarkersAsync(connectionString, prefix);
        await host.StopAsync();
        Console.WriteLine($"  end to end: {sent:N0} events recorded in {fed:F1} s ({sent / fed:N0}/s); {(complete ? "all aggregated" : "NOT all aggregated")} " +
            $"{lag.Elapsed.TotalSeconds:F2} s after the last; {ingestor.AggregateWrites * 1000.0 / sent:F1} table writes per 1,000 events " +
            $"(+ {ingestor.LastUsedWrites:N0} LastUsedAt merges); {messages:N0} (key, message) parts");
    }

    private static async Task<bool> WaitForTotalAsync(IUsageReader reader, List<string> ids, long expected, TimeSpan timeout)
    {
        var from = DateTimeOffset.UtcNow.AddHours(-2);
        var to = DateTimeOffset.UtcNow.AddHours(2);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            long total = 0;
            foreach (var id in ids) total += (await reader.GetHoursAsync(id, from, to, CancellationToken.None)).Sum(h => h.Total);
            if (total >= expected) return true;
            await Task.Delay(50);
        }
        return false;
    }

    /// <summary>Marker rows = (key, message) parts applied.</summary>
    private static async Task<long> CountMarkersAsync(string connectionString, string prefix)
    {
        var table = new TableServiceClient(connectionString).GetTableClient(prefix + "keyusage");
        long markers = 0;
        await foreach (var e in table.QueryAsync<TableEntity>(select: ["RowKey"]))
            if (e.RowKey.StartsWith(UsageIngestor.BatchRowPrefix, StringComparison.Ordinal)) markers++;
        return markers;
    }
}
