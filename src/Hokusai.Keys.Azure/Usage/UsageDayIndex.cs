using System.Collections.Concurrent;
using System.Globalization;
using Azure.Data.Tables;
using Hokusai.Keys.Azure.Tables;

namespace Hokusai.Keys.Azure.Usage;

/// <summary>
/// Which keys have usage rows on which UTC day (table <c>{prefix}keyusagedays</c>: PartitionKey = <c>yyyyMMdd</c>,
/// RowKey = key id). The usage table is partitioned by key and Table Storage has no TTL; with this index the retention
/// cleanup finds old rows with a range over old days instead of scanning every key's partition.
/// </summary>
internal sealed class UsageDayIndex(StorageTables tables)
{
    private readonly ConcurrentDictionary<(string Day, string KeyId), byte> _indexed = new();

    public static string Day(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static DateTimeOffset StartOf(string day) =>
        DateTimeOffset.ParseExact(day, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>
    /// Records (idempotently) that <paramref name="keyId"/> gets rows for these hours; called before the rows are
    /// written, so no row exists that the cleanup cannot find. Once per key and day and process.
    /// </summary>
    public async Task EnsureIndexedAsync(string keyId, IEnumerable<DateTimeOffset> newHours, CancellationToken cancellationToken)
    {
        foreach (var day in newHours.Select(Day).Distinct(StringComparer.Ordinal))
        {
            if (_indexed.ContainsKey((day, keyId))) continue;
            await tables.UsageDays.UpsertEntityAsync(new TableEntity(day, keyId), TableUpdateMode.Replace, cancellationToken);
            if (_indexed.Count > 100_000) _indexed.Clear();
            _indexed[(day, keyId)] = 0;
        }
    }
}
