using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Hokusai.Keys.Azure.Tables;
using Hokusai.Keys.Usage;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Azure.Usage;

/// <summary>Outcome of one usage message.</summary>
/// <param name="Writes">Table transactions committed (one per key, or per 99 hours of one key).</param>
/// <param name="Duplicates">(key, batch) parts already applied by an earlier delivery, skipped.</param>
public sealed record IngestResult(string BatchId, int Events, int Keys, int Writes, int Duplicates);

/// <summary>
/// Folds a usage message into hourly aggregates per key (table <c>{prefix}keyusage</c>: PartitionKey = key id,
/// RowKey <c>h_{yyyyMMddHH}</c>) and updates the keys' <c>LastUsedAt</c>. The one handler of the Functions queue
/// trigger and of the server's queue consumer.
/// <para>
/// Exactly-once effect over at-least-once delivery: each key's part of a message is one transaction of its partition
/// that inserts the marker row <c>batch_{batchId}</c> and replaces (ETag-guarded) or inserts its hour rows. A second
/// delivery fails on the marker (409) and changes nothing; a concurrent ingester's change fails the ETag (412) and the
/// part is re-read and retried, so no increment is lost.
/// </para>
/// </summary>
public sealed partial class UsageIngestor
{
    public const string HourRowPrefix = "h_";
    public const string BatchRowPrefix = "batch_";
    public const string DeniedPrefix = "D_";
    private const int MaxHoursPerTransaction = TableLimits.MaxTransactionActions - 1;
    private const int MaxAttempts = 20;
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    private readonly StorageTables _tables;
    private readonly TimeProvider _time;
    private readonly ILogger<UsageIngestor> _logger;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastUsedWritten = new(StringComparer.Ordinal);

    internal UsageIngestor(StorageTables tables, TimeProvider time, ILogger<UsageIngestor> logger)
    {
        _tables = tables;
        _time = time;
        _logger = logger;
    }

    public static string HourRow(DateTimeOffset hour) => HourRowPrefix + hour.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    public static DateTimeOffset HourOf(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero);
    }

    /// <summary>Applies one message. <see cref="InvalidUsageMessageException"/>: it never will be (the caller retries, then poisons).</summary>
    public async Task<IngestResult> IngestAsync(BinaryData payload, CancellationToken cancellationToken)
    {
        string batchId;
        List<UsageEvent> events;
        try
        {
            (batchId, events) = UsageMessage.Parse(payload);
        }
        catch (InvalidUsageMessageException ex)
        {
            LogInvalid(_logger, ex.Reason, payload.ToMemory().Length);
            throw;
        }

        var byKey = events.GroupBy(e => e.KeyId, StringComparer.Ordinal).ToList();
        int writes = 0, duplicates = 0;
        await Parallel.ForEachAsync(byKey, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (group, ct) =>
        {
            var (w, d) = await ApplyKeyAsync(batchId, group.Key, group.ToList(), ct);
            Interlocked.Add(ref writes, w);
            Interlocked.Add(ref duplicates, d);
            await UpdateLastUsedAsync(group.Key, group, ct);
        });
        return new IngestResult(batchId, events.Count, byKey.Count, writes, duplicates);
    }

    private async Task<(int Writes, int Duplicates)> ApplyKeyAsync(string batchId, string keyId, List<UsageEvent> events, CancellationToken cancellationToken)
    {
        var hours = events.GroupBy(e => HourOf(e.Timestamp)).OrderBy(g => g.Key).Select(g => (Hour: g.Key, Sum: Fold(g))).ToList();
        int writes = 0, duplicates = 0;
        var chunks = hours.Chunk(MaxHoursPerTransaction).ToList();
        for (var i = 0; i < chunks.Count; i++)
        {
            var marker = BatchRowPrefix + batchId + (chunks.Count > 1 ? "_" + i.ToString(CultureInfo.InvariantCulture) : "");
            if (await ApplyChunkAsync(keyId, marker, chunks[i], cancellationToken)) writes++;
            else duplicates++;
        }
        return (writes, duplicates);
    }

    /// <summary>True when applied; false when the marker shows an earlier delivery applied it.</summary>
    private async Task<bool> ApplyChunkAsync(string keyId, string marker, (DateTimeOffset Hour, HourSum Sum)[] hours, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var reads = await Task.WhenAll(hours.Select(h =>
                _tables.Usage.GetEntityIfExistsAsync<TableEntity>(keyId, HourRow(h.Hour), cancellationToken: cancellationToken)));
            var actions = new List<TableTransactionAction>(hours.Length + 1)
            {
                new(TableTransactionActionType.Add, new TableEntity(keyId, marker) { ["ProcessedAt"] = _time.GetUtcNow() }),
            };
            for (var i = 0; i < hours.Length; i++)
            {
                var existing = reads[i].HasValue ? reads[i].Value : null;
                var entity = existing ?? new TableEntity(keyId, HourRow(hours[i].Hour)) { ["HourStart"] = hours[i].Hour };
                hours[i].Sum.AddTo(entity);
                actions.Add(existing is null
                    ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                    : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, existing.ETag));
            }
            TableLimits.EnsureTransaction(actions);
            try
            {
                await _tables.Usage.SubmitTransactionAsync(actions, cancellationToken);
                return true;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
            {
                // Either this part was applied before (marker exists) or another ingester changed an hour row.
                var seen = await _tables.Usage.GetEntityIfExistsAsync<TableEntity>(keyId, marker, select: ["PartitionKey"], cancellationToken: cancellationToken);
                if (seen.HasValue)
                {
                    LogDuplicate(_logger, marker, keyId);
                    return false;
                }
                if (attempt >= MaxAttempts) throw;
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * Math.Min(attempt, 5))), cancellationToken);
            }
        }
    }

    /// <summary>
    /// A merge of the single property <c>LastUsedAt</c> with ETag * (no read, never a replace): it cannot undo a
    /// management change, and a management write racing it fails its own ETag check and retries on the fresh row.
    /// At most once a minute per key and process; a missing key row is left missing (404 ignored, never an upsert).
    /// </summary>
    private async Task UpdateLastUsedAsync(string keyId, IEnumerable<UsageEvent> events, CancellationToken cancellationToken)
    {
        DateTimeOffset? latest = null;
        foreach (var e in events)
            if (e.Code == "VALID" && (latest is null || e.Timestamp > latest)) latest = e.Timestamp;
        if (latest is not { } used) return;
        if (_lastUsedWritten.TryGetValue(keyId, out var written) && used < written + LastUsedResolution) return;
        _lastUsedWritten[keyId] = used;
        try
        {
            await _tables.Keys.UpdateEntityAsync(new TableEntity(keyId, KeyEntities.KeyRow) { ["LastUsedAt"] = used }, ETag.All, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
        if (_lastUsedWritten.Count > 100_000) _lastUsedWritten.Clear();
    }

    private static HourSum Fold(IEnumerable<UsageEvent> events)
    {
        var sum = new HourSum();
        foreach (var e in events)
        {
            sum.Total++;
            sum.Cost += e.Cost;
            if (e.Code == "VALID") sum.Allowed++;
            else sum.Denied[e.Code] = sum.Denied.GetValueOrDefault(e.Code) + 1;
        }
        return sum;
    }

    private sealed class HourSum
    {
        public long Total;
        public long Allowed;
        public long Cost;
        public readonly Dictionary<string, long> Denied = new(StringComparer.Ordinal);

        public void AddTo(TableEntity entity)
        {
            entity["Total"] = (entity.GetInt64("Total") ?? 0) + Total;
            entity["Allowed"] = (entity.GetInt64("Allowed") ?? 0) + Allowed;
            entity["Cost"] = (entity.GetInt64("Cost") ?? 0) + Cost;
            foreach (var (code, count) in Denied)
                entity[DeniedPrefix + code] = (entity.GetInt64(DeniedPrefix + code) ?? 0) + count;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage message rejected: {Reason} ({Bytes} bytes); it goes to the poison queue after the configured dequeue count")]
    private static partial void LogInvalid(ILogger logger, string reason, int bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Usage batch part {Marker} of key {KeyId} was already applied; skipped")]
    private static partial void LogDuplicate(ILogger logger, string marker, string keyId);
}

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
                hours.Add(new UsageHour(start, e.GetInt64("Total") ?? 0, e.GetInt64("Allowed") ?? 0, denied, e.GetInt64("Cost") ?? 0));
            }
        }
        catch (Exception ex) when (StorageErrors.IsUnavailable(ex))
        {
            throw new StorageUnavailableException("Table Storage is unavailable.", ex);
        }
        return hours;
    }
}
