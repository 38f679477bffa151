using System.Globalization;
using Azure.Data.Tables;
using Hokusai.Keys.Azure.Tables;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Storage;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Azure.Lifecycle;

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
