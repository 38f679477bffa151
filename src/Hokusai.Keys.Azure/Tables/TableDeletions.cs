using Azure;
using Azure.Data.Tables;

namespace Hokusai.Keys.Azure.Tables;

/// <summary>Deletes the rows a query found, a transaction per partition and 100 rows: the retention sweeps' way (Table Storage has no TTL).</summary>
internal static class TableDeletions
{
    /// <summary>Deletes every row of <paramref name="rows"/> (their PartitionKey and RowKey suffice) from <paramref name="table"/>; returns how many.</summary>
    public static async Task<int> DeleteAsync(TableClient table, IAsyncEnumerable<TableEntity> rows, CancellationToken cancellationToken)
    {
        var deleted = 0;
        var batch = new List<TableTransactionAction>(TableLimits.MaxTransactionActions);
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            if (batch.Count == TableLimits.MaxTransactionActions || (batch.Count > 0 && batch[0].Entity.PartitionKey != row.PartitionKey))
                deleted += await SubmitAsync(table, batch, cancellationToken);
            batch.Add(new TableTransactionAction(TableTransactionActionType.Delete, row, ETag.All));
        }
        if (batch.Count > 0) deleted += await SubmitAsync(table, batch, cancellationToken);
        return deleted;
    }

    private static async Task<int> SubmitAsync(TableClient table, List<TableTransactionAction> batch, CancellationToken cancellationToken)
    {
        var count = batch.Count;
        try
        {
            await table.SubmitTransactionAsync(batch, cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 404)
        {
            // A row went in the meantime (another instance's sweep): delete the rest one by one.
            foreach (var action in batch)
                await table.DeleteEntityAsync(action.Entity.PartitionKey, action.Entity.RowKey, ETag.All, cancellationToken);
        }
        batch.Clear();
        return count;
    }
}
