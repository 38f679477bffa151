using Azure.Data.Tables;
using Hokusai.Keys.Azure.Tables;
using Hokusai.Keys.Azure.Usage;
using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Azure.RateLimiting;

/// <summary>
/// A quota's consumption from the hourly usage aggregates (<see cref="UsageIngestor"/>): the allowed cost of the period's
/// hour rows of every key of the rotation chain. The counter is named by the chain's first key id while usage rows are
/// per key id, so the chain is walked from its first key along <c>RotatedToId</c>. Events not yet ingested are not in it
/// (docs/rate-limits.md: the in-flight allowance).
/// </summary>
internal sealed class TableQuotaBaseline(StorageTables tables) : IQuotaBaseline
{
    /// <summary>A guard against a corrupt (cyclic or endless) chain; real chains are a rotation per key lifetime.</summary>
    private const int MaxChainLength = 1000;

    public async Task<long> ConsumedAsync(string limitsId, QuotaPolicy quota, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var from = UsageIngestor.HourRow(quota.PeriodStart(now));
        var to = UsageIngestor.HourRow(quota.PeriodEnd(now));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long consumed = 0;
        for (var keyId = limitsId; keyId is not null && seen.Count < MaxChainLength && seen.Add(keyId);)
        {
            var usage = AllowedCostAsync(keyId, from, to, cancellationToken);
            var key = await tables.Keys.GetEntityIfExistsAsync<TableEntity>(keyId, KeyEntities.KeyRow, select: ["RotatedToId"], cancellationToken: cancellationToken);
            consumed += await usage;
            keyId = key.HasValue ? key.Value!.GetString("RotatedToId") : null;
        }
        return consumed;
    }

    private async Task<long> AllowedCostAsync(string keyId, string fromRow, string toRow, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {keyId} and RowKey ge {fromRow} and RowKey lt {toRow}");
        long sum = 0;
        await foreach (var row in tables.Usage.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: [UsageIngestor.AllowedCostColumn, "Allowed"], cancellationToken: cancellationToken))
            sum += row.GetInt64(UsageIngestor.AllowedCostColumn) ?? row.GetInt64("Allowed") ?? 0;
        return sum;
    }
}
