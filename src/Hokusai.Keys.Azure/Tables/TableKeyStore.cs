using Azure;
using Azure.Data.Tables;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Storage;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Azure.Tables;

/// <summary>
/// <see cref="IKeyStore"/> on Azure Table Storage. A key becomes visible only when its key entity exists, and that
/// entity is written last (after the listing index rows), in one transaction with its creation event; index rows
/// whose key is missing are skipped, so an interrupted or retried create never shows a half-written key.
/// Before that transaction it also writes (idempotently) the expiry index row and the event's outbox pointer; after it,
/// the event is handed to the outbox dispatcher. Each event also gets its change feed row before, and its wake-up
/// after, the transaction (<see cref="KeyChangeLog"/>).
/// </summary>
internal sealed partial class TableKeyStore(StorageTables tables, IKeyEventOutbox outbox, KeyChangeLog changes, KeyMetrics metrics, ILogger<TableKeyStore> logger) : IKeyStore
{
    public Task EnsureCreatedAsync(CancellationToken cancellationToken) => tables.EnsureCreatedAsync(cancellationToken);

    public Task<StoredKey?> GetAsync(string keyId, CancellationToken cancellationToken) => Guard(async () =>
    {
        var response = await tables.Keys.GetEntityIfExistsAsync<TableEntity>(keyId, KeyEntities.KeyRow, cancellationToken: cancellationToken);
        return response.HasValue ? new StoredKey(KeyEntities.ToRecord(response.Value!), response.Value!.ETag.ToString()) : null;
    });

    public Task<string> CreateAsync(ApiKeyRecord record, KeyEvent created, CancellationToken cancellationToken) => Guard(async () =>
    {
        var keyEntity = KeyEntities.ToEntity(record);
        TableLimits.EnsureEntity(keyEntity);
        // Index rows first: harmless (skipped) until the key entity exists.
        await Task.WhenAll(
            tables.Index.UpsertEntityAsync(KeyEntities.IndexEntity(record.Owner, record), TableUpdateMode.Replace, cancellationToken),
            tables.Index.UpsertEntityAsync(KeyEntities.IndexEntity(KeyEntities.AllOwnersPartition, record), TableUpdateMode.Replace, cancellationToken),
            ExpiryIndex.UpsertAsync(tables, record, cancellationToken),
            outbox.WriteIntentAsync(created, cancellationToken),
            changes.WriteAsync(created, record, cancellationToken));
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Add, keyEntity),
            new(TableTransactionActionType.Add, KeyEntities.ToEntity(created)),
        };
        TableLimits.EnsureTransaction(actions);
        string etag;
        try
        {
            var response = await tables.Keys.SubmitTransactionAsync(actions, cancellationToken);
            etag = response.Value[0].Headers.ETag?.ToString() ?? throw new InvalidOperationException("The table returned no ETag.");
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            // The client retried a transaction whose first attempt landed (its answer was lost in a timeout): the key is
            // ours when it holds our secret hash, and nobody else can have changed it yet (its id was never handed out).
            etag = await EtagOfOwnCreateAsync(record, cancellationToken) ?? throw new ConcurrencyConflictException($"Key '{record.Id}' exists already.");
        }
        outbox.Committed(created);
        changes.Committed(created);
        return etag;
    });

    private async Task<string?> EtagOfOwnCreateAsync(ApiKeyRecord record, CancellationToken cancellationToken)
    {
        var existing = await tables.Keys.GetEntityIfExistsAsync<TableEntity>(record.Id, KeyEntities.KeyRow, cancellationToken: cancellationToken);
        return existing.HasValue && existing.Value!.GetString("SecretHash") == record.SecretHash ? existing.Value.ETag.ToString() : null;
    }

    public Task<string> ReplaceAsync(ApiKeyRecord record, string etag, KeyEvent? change, CancellationToken cancellationToken) => Guard(async () =>
    {
        var entity = KeyEntities.ToEntity(record);
        entity.ETag = new ETag(etag);
        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.UpdateReplace, entity, entity.ETag) };
        if (change is not null) actions.Add(new TableTransactionAction(TableTransactionActionType.Add, KeyEntities.ToEntity(change)));
        TableLimits.EnsureTransaction(actions);
        await Task.WhenAll(
            ExpiryIndex.UpsertAsync(tables, record, cancellationToken),
            change is null ? Task.CompletedTask : outbox.WriteIntentAsync(change, cancellationToken),
            change is null ? Task.CompletedTask : changes.WriteAsync(change, record, cancellationToken));
        try
        {
            var response = await tables.Keys.SubmitTransactionAsync(actions, cancellationToken);
            if (change is not null)
            {
                outbox.Committed(change);
                changes.Committed(change);
            }
            return response.Value[0].Headers.ETag?.ToString() ?? throw new InvalidOperationException("The table returned no ETag.");
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 412 or 404)
        {
            throw new ConcurrencyConflictException($"Key '{record.Id}' changed since it was read.");
        }
    });

    public Task<bool> DeleteAsync(string keyId, string etag, CancellationToken cancellationToken) => Guard<bool>(async () =>
    {
        try
        {
            await tables.Keys.DeleteEntityAsync(keyId, KeyEntities.KeyRow, new ETag(etag), cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    });

    public Task<KeyListPage> ListAsync(string? owner, string? after, int take, CancellationToken cancellationToken) => Guard(async () =>
    {
        var partition = owner ?? KeyEntities.AllOwnersPartition;
        var filter = after is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {after}");
        var take1 = Math.Clamp(take, 1, 1000);
        Page<TableEntity>? page = null;
        await foreach (var p in tables.Index.QueryAsync<TableEntity>(filter, take1, ["RowKey", "KeyId"], cancellationToken).AsPages(pageSizeHint: take1))
        {
            page = p;
            break;
        }
        if (page is null) return new KeyListPage([], false);

        var reads = page.Values.Select(async row =>
        {
            var key = await tables.Keys.GetEntityIfExistsAsync<TableEntity>(row.GetString("KeyId"), KeyEntities.KeyRow, cancellationToken: cancellationToken);
            return (row.RowKey, Key: key.HasValue ? KeyEntities.ToRecord(key.Value!) : null);
        });
        var items = new List<ListedKey>();
        foreach (var (position, key) in await Task.WhenAll(reads))
        {
            // Orphans (create interrupted before the key entity) and pending rotations are invisible.
            if (key is null || key.IsPending) continue;
            items.Add(new ListedKey(key, position));
        }
        // A page made only of orphans must not end the listing early: continue after it.
        if (items.Count == 0 && page.Values.Count > 0 && page.ContinuationToken is not null)
            return await ListAsync(owner, page.Values[^1].RowKey, take, cancellationToken);
        return new KeyListPage(items, page.ContinuationToken is not null);
    });

    public Task<(IReadOnlyList<KeyEvent> Items, string? NextCursor)> ListEventsAsync(string keyId, string? cursor, int take, CancellationToken cancellationToken) => Guard(async () =>
    {
        var from = cursor ?? KeyEntities.EventRowPrefix;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {keyId} and RowKey gt {from} and RowKey lt {"evt`"}");
        await foreach (var page in tables.Keys.QueryAsync<TableEntity>(filter, take, cancellationToken: cancellationToken).AsPages(pageSizeHint: take))
        {
            var items = page.Values.Select(KeyEntities.ToEvent).ToList();
            var next = page.ContinuationToken is not null && page.Values.Count > 0 ? page.Values[^1].RowKey : null;
            return ((IReadOnlyList<KeyEvent>)items, next);
        }
        return ((IReadOnlyList<KeyEvent>)[], (string?)null);
    });

    public Task<string?> GetBootstrapAdminIdAsync(CancellationToken cancellationToken) => Guard(async () =>
    {
        var marker = await tables.Index.GetEntityIfExistsAsync<TableEntity>(KeyEntities.MetaPartition, KeyEntities.BootstrapRow, cancellationToken: cancellationToken);
        return marker.HasValue ? marker.Value!.GetString("KeyId") : null;
    });

    public Task SetBootstrapAdminIdAsync(string keyId, CancellationToken cancellationToken) => Guard(async () =>
    {
        await tables.Index.UpsertEntityAsync(new TableEntity(KeyEntities.MetaPartition, KeyEntities.BootstrapRow) { ["KeyId"] = keyId }, TableUpdateMode.Replace, cancellationToken);
        return true;
    });

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await tables.Keys.GetEntityIfExistsAsync<TableEntity>("~ping", KeyEntities.KeyRow, select: ["PartitionKey"], cancellationToken: cancellationToken);
            return true;
        }
        catch (Exception ex) when (StorageErrors.IsUnavailable(ex))
        {
            metrics.DependencyError("storage");
            return false;
        }
    }

    /// <summary>Maps an unreachable or failing service to <see cref="StorageUnavailableException"/>.</summary>
    private async Task<T> Guard<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (Exception ex) when (StorageErrors.IsUnavailable(ex))
        {
            metrics.DependencyError("storage");
            LogUnavailable(logger, ex, (ex as RequestFailedException)?.Status ?? 0);
            throw new StorageUnavailableException("Table Storage is unavailable.", ex);
        }
    }

    private Task Guard(Func<Task<bool>> operation) => Guard<bool>(operation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Table Storage unavailable (status {Status})")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, int status);
}
