using System.Globalization;
using Azure.Data.Tables;
using Hokusai.Keys.Azure.Tables;
using Hokusai.Keys.Usage;

namespace Hokusai.Keys.Azure.Usage;

/// <summary><see cref="IUsageReader"/> over the hourly aggregate rows.</summary>
internal sealed class TableUsageReader(StorageTables tables) : IUsageReader
{
    public async Task<IReadOnlyList<UsageHour>> GetHoursAsync(string keyId, DateTimeOffset fromHour, DateTimeOffset toHour, CancellationToken cancellationToken)
    {
        var from = UsageIngestor.HourRow(fromHour);
        var to = UsageIngestor.HourRow(toHour);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {keyId} and RowKey ge {from} and RowKey lt {to}");
        var hours = new List<UsageHour>();
        try
        {
            await foreach (var e in tables.Usage.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
            {
                var denied = new Dictionary<string, long>(StringComparer.Ordinal);
                foreach (var (name, value) in e)
                    if (name.StartsWith(UsageIngestor.DeniedPrefix, StringComparison.Ordinal) && value is long or int)
                        denied[name[UsageIngestor.DeniedPrefix.Length..]] = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                var start = DateTimeOffset.ParseExact(e.RowKey[UsageIngestor.HourRowPrefix.Length..], "yyyyMMddHH", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                hours.Add(new UsageHour(start, e.GetInt64("Total") ?? 0, e.GetInt64("Allowed") ?? 0, denied, e.GetInt64("Cost") ?? 0, e.GetInt64(UsageIngestor.DistinctAddressesColumn) ?? 0));
            }
        }
        catch (Exception ex) when (StorageErrors.IsUnavailable(ex))
        {
            throw new StorageUnavailableException("Table Storage is unavailable.", ex);
        }
        return hours;
    }
}
