using Azure.Data.Tables;
using Hokusai.Keys.Azure.Tables;
using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Azure.Lifecycle;

/// <summary>
/// Lifecycle events that are not a change of the key row (expiring, expired, quota threshold), recorded at most once:
/// one transaction in the key's partition adds a marker row with a deterministic RowKey (<c>once_…</c>) and the audit
/// row. A second attempt fails on the marker (409) and writes nothing.
/// </summary>
internal sealed class KeyEventLog(StorageTables tables, EventOutbox outbox, KeyChangeLog changes)
{
    public const string OnceRowPrefix = "once_";

    /// <summary>True when recorded now; false when it was recorded before.</summary>
    public async Task<bool> AppendOnceAsync(KeyEvent evt, string onceKey, CancellationToken cancellationToken)
    {
        await Task.WhenAll(outbox.WriteIntentAsync(evt, cancellationToken), changes.WriteAsync(evt, null, cancellationToken));
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
        changes.Committed(evt);
        return true;
    }
}
