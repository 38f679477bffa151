using Azure;
using Azure.Data.Tables;
using Hokusai.Keys.Azure.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Azure.Usage;

/// <summary>
/// Deletes usage rows older than <see cref="UsageOptions.RetentionDays"/> (Table Storage has no TTL). Run by the server's
/// lifecycle timer and by a Functions timer trigger. Every query is a range: old days of <see cref="UsageDayIndex"/>
/// (partitions sorted by day), then, per key and day, that day's hour rows and the key's batch markers older than it
/// (batch ids are version-7 GUIDs, so their hex sorts by creation time) — never a scan of the whole usage table.
/// A day's rows go once the whole day is past the retention, so rows live at most one day longer than it.
/// </summary>
public sealed partial class UsageRetentionSweeper
{
    private readonly StorageTables _tables;
    private readonly TimeProvider _time;
    private readonly IOptions<UsageOptions> _options;
    private readonly ILogger<UsageRetentionSweeper> _logger;

    internal UsageRetentionSweeper(StorageTables tables, TimeProvider time, IOptions<UsageOptions> options, ILogger<UsageRetentionSweeper> logger)
    {
        _tables = tables;
        _time = time;
        _options = options;
        _logger = logger;
    }

    /// <summary>Deletes what has passed the retention; returns how many rows (usage rows and index rows) were deleted.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var retentionDays = Math.Max(1, _options.Value.RetentionDays);
        // Days before the cutoff's day are wholly older than the retention.
        var cutoffDay = UsageDayIndex.Day(_time.GetUtcNow().AddDays(-retentionDays));
        var filter = TableClient.CreateQueryFilter($"PartitionKey lt {cutoffDay}");
        var deleted = 0;
        await foreach (var entry in _tables.UsageDays.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            var dayStart = UsageDayIndex.StartOf(entry.PartitionKey);
            var dayEnd = dayStart.AddDays(1);
            var keyId = entry.RowKey;
            deleted += await DeleteRangeAsync(keyId, UsageIngestor.HourRow(dayStart), UsageIngestor.HourRow(dayEnd), cancellationToken);
            deleted += await DeleteRangeAsync(keyId, UsageIngestor.BatchRowPrefix, UsageIngestor.BatchRowPrefix + BatchIdPrefix(dayEnd), cancellationToken);
            await _tables.UsageDays.DeleteEntityAsync(entry.PartitionKey, entry.RowKey, ETag.All, cancellationToken);
            deleted++;
        }
        if (deleted > 0) LogSwept(_logger, deleted, cutoffDay);
        return deleted;
    }

    /// <summary>The leading hex digits of a version-7 GUID ("N" format) made at <paramref name="at"/>: 48 bits of Unix milliseconds.</summary>
    internal static string BatchIdPrefix(DateTimeOffset at) => at.ToUnixTimeMilliseconds().ToString("x12", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Deletes the rows of one partition with <paramref name="from"/> ≤ RowKey &lt; <paramref name="to"/>.</summary>
    private Task<int> DeleteRangeAsync(string keyId, string from, string to, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {keyId} and RowKey ge {from} and RowKey lt {to}");
        return TableDeletions.DeleteAsync(_tables.Usage,
            _tables.Usage.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken), cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Usage retention: deleted {Count} rows of days before {CutoffDay}")]
    private static partial void LogSwept(ILogger logger, int count, string cutoffDay);
}
