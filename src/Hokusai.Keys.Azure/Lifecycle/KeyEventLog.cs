using System.Globalization;
using Azure.Data.Tables;
using Hokusai.Keys.Azure.Tables;
using Hokusai.Keys.Keys;
using Hokusai.Keys.Management;
using Hokusai.Keys.Storage;
using Hokusai.Keys.Usage;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Azure.Lifecycle;

/// <summary>
/// Lifecycle events that are not a change of the key row (expiring, expired, quota threshold), recorded at most once:
/// one transaction in the key's partition adds a marker row with a deterministic RowKey (<c>once_…</c>) and the audit
/// row. A second attempt fails on the marker (409) and writes nothing.
/// </summary>
internal sealed class KeyEventLog(StorageTables tables, EventOutbox outbox)
{
    public const string OnceRowPrefix = "once_";

    /// <summary>True when recorded now; false when it was recorded before.</summary>
    public async Task<bool> AppendOnceAsync(KeyEvent evt, string onceKey, CancellationToken cancellationToken)
    {
        await outbox.WriteIntentAsync(evt, cancellationToken);
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Add, new TableEntity(evt.KeyId, OnceRowPrefix + onceKey) { ["EventId"] = evt.EventId }),
            new(TableTransactionActionType.Add, KeyEntities.ToEntity(evt)),
        };
        TableLimits.EnsureTransaction(actions);
        try
        {
            await tables.Keys.SubmitTransactionAsync(actions, cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            await outbox.AbandonAsync(evt);
            return false;
        }
        outbox.Committed(evt);
        return true;
    }
}

/// <summary><see cref="IQuotaThresholdSink"/>: a <c>key.quota_threshold</c> event once per (key, period, period start, percent).</summary>
internal sealed partial class TableQuotaThresholdSink(KeyEventLog log, TimeProvider time, ILogger<TableQuotaThresholdSink> logger) : IQuotaThresholdSink
{
    public async ValueTask QuotaThresholdCrossedAsync(QuotaThreshold threshold, CancellationToken cancellationToken)
    {
        var period = new string(threshold.Period.Where(char.IsAsciiLetterOrDigit).ToArray());
        var onceKey = string.Create(CultureInfo.InvariantCulture,
            $"quota_{period}_{threshold.PeriodStart.UtcDateTime:yyyyMMddHHmm}_{threshold.Percent}");
        var evt = KeyEvent.Create(KeyEventTypes.QuotaThreshold, threshold.KeyId, Caller.System, time.GetUtcNow(), new Dictionary<string, string>
        {
            ["period"] = threshold.Period,
            ["periodStart"] = threshold.PeriodStart.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["percent"] = threshold.Percent.ToString(CultureInfo.InvariantCulture),
            ["used"] = threshold.Used.ToString(CultureInfo.InvariantCulture),
            ["limit"] = threshold.Limit.ToString(CultureInfo.InvariantCulture),
        });
        try
        {
            await log.AppendOnceAsync(evt, onceKey, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, threshold.KeyId, threshold.Percent, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording the {Percent} % quota threshold of key {KeyId} failed")]
    private static partial void LogFailed(ILogger logger, string keyId, int percent, Exception exception);
}

/// <summary>
/// Expiry index (table <c>{prefix}keyexpiry</c>): PartitionKey = UTC date of <c>ExpiresAt</c> (<c>yyyyMMdd</c>), RowKey =
/// key id. Upserted before every key write that has an expiry; a row left behind by a changed expiry is stale and
/// ignored, because the sweeper re-reads the key.
/// </summary>
internal static class ExpiryIndex
{
    public static string Partition(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static Task UpsertAsync(StorageTables tables, ApiKeyRecord record, CancellationToken cancellationToken) =>
        record.ExpiresAt is { } expires && record.RevokedAt is null
            ? tables.Expiry.UpsertEntityAsync(new TableEntity(Partition(expires), record.Id), TableUpdateMode.Replace, cancellationToken)
            : Task.CompletedTask;
}

/// <summary>
/// Emits <c>key.expiring</c> (7 days and 1 day ahead) and <c>key.expired</c>, each once per key and expiry instant.
/// Reads only the expiry index partitions of the last <see cref="LookBackDays"/> days and the next 8 days, never the keys table.
/// </summary>
public sealed partial class ExpirySweeper
{
    public const int LookBackDays = 3;
    private readonly StorageTables _tables;
    private readonly IKeyStore _store;
    private readonly KeyEventLog _log;
    private readonly TimeProvider _time;
    private readonly ILogger<ExpirySweeper> _logger;

    internal ExpirySweeper(StorageTables tables, IKeyStore store, KeyEventLog log, TimeProvider time, ILogger<ExpirySweeper> logger)
    {
        _tables = tables;
        _store = store;
        _log = log;
        _time = time;
        _logger = logger;
    }

    /// <summary>Returns the number of events recorded.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var recorded = 0;
        for (var day = -LookBackDays; day <= 8; day++)
        {
            var partition = ExpiryIndex.Partition(now.AddDays(day));
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}");
            await foreach (var row in _tables.Expiry.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
            {
                try
                {
                    if (await CheckAsync(row.RowKey, partition, now, cancellationToken)) recorded++;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(_logger, row.RowKey, ex);
                }
            }
        }
        return recorded;
    }

    private async Task<bool> CheckAsync(string keyId, string partition, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var stored = await _store.GetAsync(keyId, cancellationToken);
        if (stored?.Record is not { IsPending: false, RevokedAt: null, ExpiresAt: { } expires } record) return false;
        if (ExpiryIndex.Partition(expires) != partition) return false; // stale index row: the expiry changed
        var ticks = expires.UtcTicks.ToString(CultureInfo.InvariantCulture);
        string type, onceKey;
        var data = new Dictionary<string, string> { ["expiresAt"] = expires.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) };
        if (expires <= now)
        {
            (type, onceKey) = (KeyEventTypes.Expired, "expired_" + ticks);
        }
        else if (expires - now <= TimeSpan.FromDays(1))
        {
            (type, onceKey) = (KeyEventTypes.Expiring, "expiring_1d_" + ticks);
            data["daysBefore"] = "1";
        }
        else if (expires - now <= TimeSpan.FromDays(7))
        {
            (type, onceKey) = (KeyEventTypes.Expiring, "expiring_7d_" + ticks);
            data["daysBefore"] = "7";
        }
        else
        {
            return false;
        }
        return await _log.AppendOnceAsync(KeyEvent.Create(type, record.Id, Caller.System, now, data), onceKey, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Expiry check of key {KeyId} failed; the next sweep retries")]
    private static partial void LogFailed(ILogger logger, string keyId, Exception exception);
}

/// <summary>Entry points of the periodic lifecycle work (Functions timer triggers and the server's timer service).</summary>
public sealed class LifecycleSweeps
{
    private readonly EventOutbox _outbox;

    internal LifecycleSweeps(EventOutbox outbox, ExpirySweeper expiry)
    {
        _outbox = outbox;
        Expiry = expiry;
    }

    public ExpirySweeper Expiry { get; }

    public bool OutboxEnabled => _outbox.Enabled;

    /// <summary>Publishes lifecycle events left undispatched; returns how many were sent.</summary>
    public Task<int> SweepOutboxAsync(CancellationToken cancellationToken) => _outbox.SweepAsync(cancellationToken);

    public Task<int> SweepExpiryAsync(CancellationToken cancellationToken) => Expiry.SweepAsync(cancellationToken);
}
