using System.Globalization;
using Azure.Data.Tables;
using Hokusai.Keys.Azure.Tables;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Management;
using Hokusai.Keys.Storage;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Azure.Lifecycle;

/// <summary>
/// Emits <c>key.rotation_due</c> 14 days and 3 days before a key's max-age date (<see cref="KeyAgePolicy"/>), each once
/// per key and date (the once-markers of <see cref="KeyEventLog"/>, as the expiry warnings). Keys created before the
/// policy have no expiry, so keys are found by creation time, not expiry: for each limited maximum age, only the
/// listing index rows of keys created within the reminder window (plus <see cref="LookBackDays"/>) are read.
/// </summary>
public sealed partial class RotationDueSweeper
{
    public const int LookBackDays = 3;
    private readonly StorageTables _tables;
    private readonly IKeyStore _store;
    private readonly KeyEventLog _log;
    private readonly KeyAgePolicy _policy;
    private readonly TimeProvider _time;
    private readonly ILogger<RotationDueSweeper> _logger;

    internal RotationDueSweeper(StorageTables tables, IKeyStore store, KeyEventLog log, KeyAgePolicy policy, TimeProvider time, ILogger<RotationDueSweeper> logger)
    {
        _tables = tables;
        _store = store;
        _log = log;
        _policy = policy;
        _time = time;
        _logger = logger;
    }

    /// <summary>Returns the number of events recorded.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var recorded = 0;
        foreach (var age in _policy.LimitedAges())
        {
            // Newest first: the index row key starts with the inverted creation ticks.
            var newest = KeyEntities.InvertedTicks(now - age + KeyAgePolicy.DueWindow);
            var oldest = KeyEntities.InvertedTicks(now - age - TimeSpan.FromDays(LookBackDays)) + "`"; // past every "{ticks}_{id}"
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {KeyEntities.AllOwnersPartition} and RowKey ge {newest} and RowKey lt {oldest}");
            await foreach (var row in _tables.Index.QueryAsync<TableEntity>(filter, select: ["KeyId"], cancellationToken: cancellationToken))
            {
                var keyId = row.GetString("KeyId");
                if (keyId is null) continue;
                try
                {
                    if (await CheckAsync(keyId, age, now, cancellationToken)) recorded++;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(_logger, keyId, ex);
                }
            }
        }
        return recorded;
    }

    private async Task<bool> CheckAsync(string keyId, TimeSpan age, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var stored = await _store.GetAsync(keyId, cancellationToken);
        if (stored?.Record is not { } record || _policy.MaxAgeFor(record.Scopes) != age) return false; // another class's sweep reports it
        if (_policy.RotationDueAt(record, now) is not { } due || due - now > KeyAgePolicy.DueWindow) return false;
        var daysBefore = KeyAgePolicy.ReminderDays.Where(days => due - now <= TimeSpan.FromDays(days)).Min();
        var data = new Dictionary<string, string>
        {
            ["rotationDueAt"] = due.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["daysBefore"] = daysBefore.ToString(CultureInfo.InvariantCulture),
            ["maxAgeDays"] = ((int)age.TotalDays).ToString(CultureInfo.InvariantCulture),
        };
        var onceKey = $"rotation_due_{daysBefore}d_{due.UtcTicks.ToString(CultureInfo.InvariantCulture)}";
        return await _log.AppendOnceAsync(KeyEvent.Create(KeyEventTypes.RotationDue, record.Id, Caller.System, now, data), onceKey, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rotation check of key {KeyId} failed; the next sweep retries")]
    private static partial void LogFailed(ILogger logger, string keyId, Exception exception);
}
