using Azure.Data.Tables;
using Hokusai.Keys.Azure.Tables;
using Hokusai.Keys.Azure.Usage;
using Hokusai.Keys.Usage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Hokusai.Keys.Azure.Tests;

/// <summary>Usage rows past the retention are deleted by one cleanup run on real Azurite; newer ones stay.</summary>
public sealed class UsageRetentionTests
{
    [Fact]
    public async Task One_cleanup_run_deletes_the_usage_rows_older_than_the_retention_and_keeps_the_newer_ones()
    {
        var (_, server, admin) = await Fixtures.StartAsync(g => g.With("Hokusai:Usage:Enabled", "false"));
        using var _ = server;
        var (id, _) = await admin.CreateKeyAsync(new { name = "retained" });
        var tables = server.Services.GetRequiredService<StorageTables>();
        var ingestor = server.Services.GetRequiredService<UsageIngestor>();

        // Ingested now; the sweep runs 500 days later with the default retention of 400 days.
        var now = DateTimeOffset.UtcNow;
        var sweepTime = new FakeTimeProvider(now.AddDays(500));
        var old = now;                       // 500 days before the sweep
        var recent = now.AddDays(495);       // 5 days before the sweep
        var edge = now.AddDays(500 - 398);   // 398 days before the sweep: inside the retention
        foreach (var at in new[] { old, old.AddHours(1), recent, edge })
        {
            var message = Assert.Single(UsageMessage.Pack([new UsageEvent(id, "admin", at, "VALID", null, 1)]));
            await ingestor.IngestAsync(message.Payload, CancellationToken.None);
        }
        Assert.Equal(4, (await HourRowsAsync(tables, id)).Count);
        Assert.Equal(4, (await RowsAsync(tables.Usage, id, UsageIngestor.BatchRowPrefix)).Count);

        var sweeper = new UsageRetentionSweeper(tables, sweepTime, Options.Create(new UsageOptions()), NullLogger<UsageRetentionSweeper>.Instance);
        var deleted = await sweeper.SweepAsync(CancellationToken.None);

        var kept = await HourRowsAsync(tables, id);
        Assert.Equal([UsageIngestor.HourRow(UsageIngestor.HourOf(edge)), UsageIngestor.HourRow(UsageIngestor.HourOf(recent))], kept);
        // Every batch marker was made now (its id says so): all are past the retention at the sweep.
        Assert.Empty(await RowsAsync(tables.Usage, id, UsageIngestor.BatchRowPrefix));
        Assert.True(deleted >= 2 + 4, $"deleted {deleted}");
        // The old day's index entry went with its rows; a second run finds nothing more.
        Assert.Equal(0, await sweeper.SweepAsync(CancellationToken.None));
        Assert.Equal(kept, await HourRowsAsync(tables, id));
    }

    private static async Task<List<string>> HourRowsAsync(StorageTables tables, string keyId) =>
        await RowsAsync(tables.Usage, keyId, UsageIngestor.HourRowPrefix);

    private static async Task<List<string>> RowsAsync(TableClient table, string keyId, string prefix)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {keyId} and RowKey ge {prefix} and RowKey lt {prefix + "~"}");
        var rows = new List<string>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["RowKey"])) rows.Add(row.RowKey);
        return rows;
    }
}
