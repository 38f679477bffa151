using System.Globalization;
using Azure.Data.Tables;
using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Azure.Tables;

/// <summary>
/// The change feed's rows, in <c>{prefix}keychanges</c>: PartitionKey the UTC hour (<c>yyyyMMddHH</c>), RowKey
/// <c>{ticks}_{key id}_{event id}</c>, so a follower reads one or two small partitions in time order. A row is written
/// (idempotently) <em>before</em> the transaction that commits its event, as the outbox pointer is: a change that
/// commits always has its row, and a row whose change failed only costs a follower one needless eviction. A follower
/// that reads the row before the commit evicts early; the wake-up after the commit (<see cref="IKeyChangeSignal"/>) and
/// the follower's short cache for a just-changed key cover that gap. Which events get a row: <see cref="ValidationChanges"/>.
/// Rows carry the key's owner, environment and whether it holds <c>admin</c>, for the visibility rule.
/// </summary>
internal sealed class KeyChangeLog(StorageTables tables, IKeyChangeSignal signal, TimeProvider time)
{
    internal sealed record Row(string Id, long Ticks, string KeyId, string Type, DateTimeOffset OccurredAt, string Owner, KeyEnvironment Environment, bool HoldsAdmin);

    /// <summary>Before the transaction that commits <paramref name="evt"/>; <paramref name="key"/> is the key as it will be (null: read it).</summary>
    public async Task WriteAsync(KeyEvent evt, ApiKeyRecord? key, CancellationToken cancellationToken)
    {
        if (!ValidationChanges.MayChangeOutcome(evt.Type)) return;
        if (key is null)
        {
            var stored = await tables.Keys.GetEntityIfExistsAsync<TableEntity>(evt.KeyId, KeyEntities.KeyRow, cancellationToken: cancellationToken);
            if (!stored.HasValue) return;
            key = KeyEntities.ToRecord(stored.Value!);
        }
        var now = time.GetUtcNow();
        await tables.Changes.UpsertEntityAsync(new TableEntity(Partition(now.UtcTicks), Ticks(now.UtcTicks) + "_" + evt.KeyId + "_" + evt.EventId)
        {
            ["KeyId"] = evt.KeyId,
            ["Type"] = evt.Type,
            ["OccurredAt"] = evt.OccurredAt,
            ["Owner"] = key.Owner,
            ["Environment"] = key.Environment.ToWire(),
            ["HoldsAdmin"] = key.Scopes.Contains(Caller.AdminScope),
        }, TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>After the transaction committed: wake the long-polls waiting here and on the other instances.</summary>
    public void Committed(KeyEvent evt)
    {
        if (ValidationChanges.MayChangeOutcome(evt.Type)) signal.Notify();
    }

    /// <summary>Rows stamped at or after <paramref name="fromTicks"/>, oldest first, at most <paramref name="take"/>.</summary>
    public async Task<IReadOnlyList<Row>> ReadAsync(long fromTicks, int take, CancellationToken cancellationToken)
    {
        var rows = new List<Row>();
        var until = time.GetUtcNow().UtcTicks;
        // Hour partitions from the cursor's to the current one (a follower more than a few hours behind is rare and reads each once).
        for (var hour = fromTicks - fromTicks % TimeSpan.TicksPerHour; hour <= until && rows.Count < take; hour += TimeSpan.TicksPerHour)
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition(hour)} and RowKey ge {Ticks(fromTicks)}");
            await foreach (var e in tables.Changes.QueryAsync<TableEntity>(filter, maxPerPage: take, cancellationToken: cancellationToken))
            {
                KeyEnvironmentNames.TryParse(e.GetString("Environment"), out var environment);
                rows.Add(new Row(e.RowKey, long.Parse(e.RowKey.AsSpan(0, 19), CultureInfo.InvariantCulture), e.GetString("KeyId") ?? "", e.GetString("Type") ?? "",
                    e.GetDateTimeOffset("OccurredAt") ?? DateTimeOffset.MinValue, e.GetString("Owner") ?? "", environment, e.GetBoolean("HoldsAdmin") ?? true));
                if (rows.Count >= take) break;
            }
        }
        return rows;
    }

    /// <summary>
    /// Deletes the hour partitions wholly older than <paramref name="retention"/> (Table Storage has no TTL; a cursor that
    /// old answers 410 anyway): a range query on the partition key, a transaction per partition and 100 rows. Returns how
    /// many rows went.
    /// </summary>
    public Task<int> PurgeAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey lt {Partition((time.GetUtcNow() - retention).UtcTicks)}");
        return TableDeletions.DeleteAsync(tables.Changes,
            tables.Changes.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken), cancellationToken);
    }

    private static string Partition(long ticks) => new DateTime(ticks, DateTimeKind.Utc).ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    private static string Ticks(long ticks) => ticks.ToString("D19", CultureInfo.InvariantCulture);
}
