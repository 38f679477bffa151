using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Hokusai.Keys.Azure.Tables;
using Hokusai.Keys.Usage;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Azure.Usage;

/// <summary>
/// Folds a usage message into hourly aggregates per key (table <c>{prefix}keyusage</c>: PartitionKey = key id,
/// RowKey <c>h_{yyyyMMddHH}</c>; columns Total, Allowed, Cost, AllowedCost, <c>D_{code}</c>, DistinctAddresses and
/// Addresses) and updates the keys' <c>LastUsedAt</c>. A key's first row of a day is indexed by day first (<see cref="UsageDayIndex"/>), so the retention
/// cleanup (<see cref="UsageRetentionSweeper"/>) can find it. The one handler of the Functions queue trigger and of the
/// server's queue consumer.
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
    public const string AllowedCostColumn = "AllowedCost";

    /// <summary>Distinct client addresses of the hour: exact up to <see cref="MaxTrackedAddresses"/>, then that many.</summary>
    public const string DistinctAddressesColumn = "DistinctAddresses";

    /// <summary>The set behind <see cref="DistinctAddressesColumn"/>: sorted 4-byte fingerprints (SHA-256 prefixes) of the
    /// addresses, never the addresses; bounded so a row stays small whatever the traffic.</summary>
    public const string AddressesColumn = "Addresses";
    public const int MaxTrackedAddresses = UsageHour.MaxDistinctAddresses;

    /// <summary>Distinct-address counts of a key-hour that are logged with the key id when reached (once each per hour).</summary>
    private static readonly long[] AddressMilestones = [16, 64, 256, MaxTrackedAddresses];
    private const int MaxHoursPerTransaction = TableLimits.MaxTransactionActions - 1;
    private const int MaxAttempts = 20;
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    private readonly StorageTables _tables;
    private readonly UsageDayIndex _days;
    private readonly TimeProvider _time;
    private readonly ILogger<UsageIngestor> _logger;
    private readonly KeyMetrics? _metrics;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastUsedWritten = new(StringComparer.Ordinal);
    private long _aggregateWrites;
    private long _lastUsedWrites;

    internal UsageIngestor(StorageTables tables, UsageDayIndex days, TimeProvider time, ILogger<UsageIngestor> logger, KeyMetrics? metrics = null)
    {
        _metrics = metrics;
        _tables = tables;
        _days = days;
        _time = time;
        _logger = logger;
    }

    /// <summary>Committed aggregate transactions since start (each one table write: markers + hour rows of one key).</summary>
    public long AggregateWrites => Interlocked.Read(ref _aggregateWrites);

    /// <summary>LastUsedAt merges since start.</summary>
    public long LastUsedWrites => Interlocked.Read(ref _lastUsedWrites);

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

    /// <summary>
    /// Applies several messages at once (the server's consumer: one receive). Per key, the parts of all messages go into
    /// one transaction holding every message's marker row and the summed hour rows, so N messages cost one write per key
    /// instead of N. If any marker already exists, that key falls back to message-by-message (each skips itself if applied).
    /// Returns, per payload, null (applied) or the exception that failed it (an invalid one is never retried into success).
    /// </summary>
    public async Task<IReadOnlyList<Exception?>> IngestManyAsync(IReadOnlyList<BinaryData> payloads, CancellationToken cancellationToken)
    {
        var results = new Exception?[payloads.Count];
        var parts = new List<(int Index, string BatchId, string KeyId, List<UsageEvent> Events)>();
        for (var i = 0; i < payloads.Count; i++)
        {
            try
            {
                var (batchId, events) = UsageMessage.Parse(payloads[i]);
                foreach (var g in events.GroupBy(e => e.KeyId, StringComparer.Ordinal)) parts.Add((i, batchId, g.Key, g.ToList()));
            }
            catch (InvalidUsageMessageException ex)
            {
                LogInvalid(_logger, ex.Reason, payloads[i].ToMemory().Length);
                results[i] = ex;
            }
        }
        var byKey = parts.GroupBy(p => p.KeyId, StringComparer.Ordinal).ToList();
        await Parallel.ForEachAsync(byKey, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (group, ct) =>
        {
            try
            {
                await ApplyCombinedAsync(group.Key, group.Select(p => (p.BatchId, p.Events)).ToList(), ct);
                await UpdateLastUsedAsync(group.Key, group.SelectMany(p => p.Events), ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                lock (results)
                    foreach (var p in group) results[p.Index] ??= ex;
            }
        });
        return results;
    }

    private async Task ApplyCombinedAsync(string keyId, List<(string BatchId, List<UsageEvent> Events)> parts, CancellationToken cancellationToken)
    {
        // The same batch twice in one receive (a producer retry whose first send did arrive) counts once.
        parts = parts.DistinctBy(p => p.BatchId, StringComparer.Ordinal).ToList();
        // Greedy groups whose markers + distinct hours fit one transaction; a part spanning > 99 hours goes alone.
        var groups = new List<List<(string BatchId, List<UsageEvent> Events)>>();
        var current = new List<(string BatchId, List<UsageEvent> Events)>();
        var hours = new HashSet<DateTimeOffset>();
        foreach (var part in parts)
        {
            var partHours = part.Events.Select(e => HourOf(e.Timestamp)).ToHashSet();
            if (partHours.Count > MaxHoursPerTransaction)
            {
                groups.Add([part]);
                continue;
            }
            if (current.Count > 0 && current.Count + 1 + hours.Union(partHours).Count() > TableLimits.MaxTransactionActions)
            {
                groups.Add(current);
                current = [];
                hours.Clear();
            }
            current.Add(part);
            hours.UnionWith(partHours);
        }
        if (current.Count > 0) groups.Add(current);

        foreach (var group in groups)
        {
            if (group.Count == 1)
            {
                await ApplyKeyAsync(group[0].BatchId, keyId, group[0].Events, cancellationToken);
                continue;
            }
            var markers = group.Select(p => BatchRowPrefix + p.BatchId).ToList();
            var sums = group.SelectMany(p => p.Events).GroupBy(e => HourOf(e.Timestamp)).OrderBy(g => g.Key).Select(g => (Hour: g.Key, Sum: Fold(g))).ToArray();
            if (await TryApplyAsync(keyId, markers, sums, cancellationToken) == Outcome.Applied) continue;
            // Some part was applied before: message by message, each skipping itself if its marker exists.
            foreach (var part in group) await ApplyKeyAsync(part.BatchId, keyId, part.Events, cancellationToken);
        }
    }

    private enum Outcome { Applied, AlreadyApplied }

    /// <summary>One transaction: add the marker rows, replace (ETag) or insert the hour rows; retried on a lost race.</summary>
    private async Task<Outcome> TryApplyAsync(string keyId, IReadOnlyList<string> markers, (DateTimeOffset Hour, HourSum Sum)[] hours, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var reads = await Task.WhenAll(hours.Select(h =>
                _tables.Usage.GetEntityIfExistsAsync<TableEntity>(keyId, HourRow(h.Hour), cancellationToken: cancellationToken)));
            var processedAt = _time.GetUtcNow();
            var actions = new List<TableTransactionAction>(hours.Length + markers.Count);
            foreach (var marker in markers)
                actions.Add(new(TableTransactionActionType.Add, new TableEntity(keyId, marker) { ["ProcessedAt"] = processedAt }));
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
            var newHours = hours.Where((_, i) => !reads[i].HasValue).Select(h => h.Hour).ToList();
            if (newHours.Count > 0) await _days.EnsureIndexedAsync(keyId, newHours, cancellationToken);
            try
            {
                await _tables.Usage.SubmitTransactionAsync(actions, cancellationToken);
                Interlocked.Increment(ref _aggregateWrites);
                foreach (var (hour, sum) in hours) ReportAddresses(keyId, hour, sum);
                return Outcome.Applied;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
            {
                // Either a part was applied before (a marker exists) or another ingester changed an hour row.
                var seen = await Task.WhenAll(markers.Select(m =>
                    _tables.Usage.GetEntityIfExistsAsync<TableEntity>(keyId, m, select: ["PartitionKey"], cancellationToken: cancellationToken)));
                if (seen.Any(r => r.HasValue))
                {
                    if (markers.Count == 1) LogDuplicate(_logger, markers[0], keyId);
                    return Outcome.AlreadyApplied;
                }
                if (attempt >= MaxAttempts) throw;
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * Math.Min(attempt, 5))), cancellationToken);
            }
        }
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
    private async Task<bool> ApplyChunkAsync(string keyId, string marker, (DateTimeOffset Hour, HourSum Sum)[] hours, CancellationToken cancellationToken) =>
        await TryApplyAsync(keyId, [marker], hours, cancellationToken) == Outcome.Applied;

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
            Interlocked.Increment(ref _lastUsedWrites);
            await _tables.Keys.UpdateEntityAsync(new TableEntity(keyId, KeyEntities.KeyRow) { ["LastUsedAt"] = used }, ETag.All, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
        if (_lastUsedWritten.Count > 100_000) _lastUsedWritten.Clear();
    }

    /// <summary>After a commit: the key-hour's distinct addresses as a metric, and its key id in the log at each milestone.</summary>
    private void ReportAddresses(string keyId, DateTimeOffset hour, HourSum sum)
    {
        if (sum.Addresses.Count == 0) return;
        _metrics?.KeyHourAddresses(sum.AddressesAfter, OwnerBucket.Of(sum.Owner));
        foreach (var milestone in AddressMilestones)
            if (sum.AddressesBefore < milestone && milestone <= sum.AddressesAfter)
                LogManyAddresses(_logger, keyId, sum.AddressesAfter, hour);
    }

    /// <summary>The fingerprint of an address in <see cref="AddressesColumn"/> (IPv4-mapped IPv6 counts as the IPv4 address).</summary>
    internal static uint AddressFingerprint(System.Net.IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        Span<byte> hash = stackalloc byte[System.Security.Cryptography.SHA256.HashSizeInBytes];
        System.Security.Cryptography.SHA256.HashData(bytes[..written], hash);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(hash);
    }

    private static HourSum Fold(IEnumerable<UsageEvent> events)
    {
        var sum = new HourSum();
        foreach (var e in events)
        {
            sum.Owner ??= e.Owner;
            if (e.ClientIp is { } address) sum.Addresses.Add(AddressFingerprint(address));
            sum.Total++;
            // Only allowed requests consume cost (the validator records 0 for refusals; messages from older instances may not).
            if (e.Code == "VALID")
            {
                sum.Allowed++;
                sum.Cost += e.Cost;
                sum.AllowedCost += e.Cost;
            }
            else sum.Denied[e.Code] = sum.Denied.GetValueOrDefault(e.Code) + 1;
        }
        return sum;
    }

    private sealed class HourSum
    {
        public long Total;
        public long Allowed;
        public long Cost;
        public long AllowedCost;
        public readonly Dictionary<string, long> Denied = new(StringComparer.Ordinal);
        public readonly HashSet<uint> Addresses = [];
        public string? Owner;

        /// <summary>The row's distinct addresses before and after the last <see cref="AddTo"/>.</summary>
        public long AddressesBefore, AddressesAfter;

        public void AddTo(TableEntity entity)
        {
            if (Addresses.Count > 0) MergeAddresses(entity);
            // What the quota consumed (Cost includes refused requests): the durable copy of the Redis quota counters.
            // Rows written before this column existed count their allowed requests at cost 1.
            entity[AllowedCostColumn] = (entity.GetInt64(AllowedCostColumn) ?? entity.GetInt64("Allowed") ?? 0) + AllowedCost;
            entity["Total"] = (entity.GetInt64("Total") ?? 0) + Total;
            entity["Allowed"] = (entity.GetInt64("Allowed") ?? 0) + Allowed;
            entity["Cost"] = (entity.GetInt64("Cost") ?? 0) + Cost;
            foreach (var (code, count) in Denied)
                entity[DeniedPrefix + code] = (entity.GetInt64(DeniedPrefix + code) ?? 0) + count;
        }

        private void MergeAddresses(TableEntity entity)
        {
            var stored = entity.GetBinary(AddressesColumn) ?? [];
            var set = new SortedSet<uint>();
            for (var i = 0; i + 4 <= stored.Length; i += 4) set.Add(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(stored.AsSpan(i)));
            AddressesBefore = Math.Max(set.Count, entity.GetInt64(DistinctAddressesColumn) ?? 0);
            // Past the cap the set stops growing and the count stays at the cap: "at least this many".
            foreach (var fingerprint in Addresses)
            {
                if (set.Count >= MaxTrackedAddresses) break;
                set.Add(fingerprint);
            }
            var bytes = new byte[set.Count * 4];
            var offset = 0;
            foreach (var fingerprint in set)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(offset), fingerprint);
                offset += 4;
            }
            entity[AddressesColumn] = bytes;
            AddressesAfter = Math.Max(set.Count, AddressesBefore);
            entity[DistinctAddressesColumn] = AddressesAfter;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Key {KeyId} was used from {Addresses} distinct client addresses in the hour from {Hour:u} (docs/operations.md, alert key-many-addresses)")]
    private static partial void LogManyAddresses(ILogger logger, string keyId, long addresses, DateTimeOffset hour);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage message rejected: {Reason} ({Bytes} bytes); it goes to the poison queue after the configured dequeue count")]
    private static partial void LogInvalid(ILogger logger, string reason, int bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Usage batch part {Marker} of key {KeyId} was already applied; skipped")]
    private static partial void LogDuplicate(ILogger logger, string marker, string keyId);
}
