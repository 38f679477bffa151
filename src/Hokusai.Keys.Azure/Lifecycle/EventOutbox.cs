using System.Threading.Channels;
using Azure;
using Azure.Data.Tables;
using Hokusai.Keys.Azure.Tables;
using Hokusai.Keys.Domain;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Azure.Lifecycle;

/// <summary>
/// Transactional outbox of key lifecycle events. The source of truth is the audit row (<c>evt_…</c>, in the key's
/// partition, <c>Dispatched=false</c>, committed in the same transaction as the change). To find undispatched rows
/// without scanning the keys table, a <em>pointer</em> row is upserted into one dedicated partition of
/// <c>{prefix}keyoutbox</c> <em>before</em> that transaction (it cannot be in it: other partition). So every committed
/// event has a pointer; a pointer whose event never committed is stale and is deleted by the sweeper after
/// <see cref="StalePointerAge"/>. After a commit the event is dispatched at once in process; the sweeper
/// (<see cref="SweepAsync"/>, timer) sends whatever is left. Dispatch = publish (MessageId = event id), then merge
/// <c>Dispatched=true</c> into the audit row, then delete the pointer: at least once, deduplicated by Service Bus.
/// Without Service Bus the outbox is off: no pointers, events stay in the audit table.
/// </summary>
internal sealed partial class EventOutbox(
    StorageTables tables, IKeyEventPublisher publisher, IOptions<LifecycleOptions> options, TimeProvider time, ILogger<EventOutbox> logger, KeyMetrics? metrics = null)
    : IKeyEventOutbox, IHostedService
{
    public const string Partition = "outbox";
    public static readonly TimeSpan StalePointerAge = TimeSpan.FromMinutes(5);

    private readonly Channel<Pointer> _committed = Channel.CreateBounded<Pointer>(new BoundedChannelOptions(10_000) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private Task? _loop;
    private long _oldestLeftTicks = -1; // written by the sweep: -1 not swept yet, 0 none left, else the oldest left's time
    private bool _observed;

    public bool Enabled => publisher.IsEnabled;

    internal sealed record Pointer(string KeyId, string EventRow, string PointerRow, KeyEvent? Event, DateTimeOffset WrittenAt);

    /// <summary>Oldest first, so the sweeper reads "older than the grace period" as one range of one partition.</summary>
    public static string PointerRow(KeyEvent evt) =>
        evt.OccurredAt.UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture) + "_" + evt.KeyId + "_" + evt.EventId;

    /// <summary>Before the transaction that writes <paramref name="evt"/>.</summary>
    public async Task WriteIntentAsync(KeyEvent evt, CancellationToken cancellationToken)
    {
        if (!Enabled) return;
        await tables.Outbox.UpsertEntityAsync(new TableEntity(Partition, PointerRow(evt))
        {
            ["KeyId"] = evt.KeyId,
            ["EventRow"] = KeyEntities.EventRow(evt),
        }, TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>After the transaction committed: dispatch now, in the background.</summary>
    public void Committed(KeyEvent evt)
    {
        if (!Enabled) return;
        _committed.Writer.TryWrite(new Pointer(evt.KeyId, KeyEntities.EventRow(evt), PointerRow(evt), evt, time.GetUtcNow()));
    }

    /// <summary>The transaction failed for good (e.g. a duplicate once-only event): the pointer can go now.</summary>
    public async Task AbandonAsync(KeyEvent evt)
    {
        if (!Enabled) return;
        try
        {
            await tables.Outbox.DeleteEntityAsync(Partition, PointerRow(evt), ETag.All);
        }
        catch (RequestFailedException)
        {
            // The sweeper removes it later.
        }
    }

    /// <summary>How long the oldest event the last sweep failed to dispatch has waited (zero: none left; null: no sweep yet).</summary>
    internal TimeSpan? BacklogAge
    {
        get
        {
            var ticks = Interlocked.Read(ref _oldestLeftTicks);
            return ticks < 0 ? null : ticks == 0 ? TimeSpan.Zero : time.GetUtcNow() - new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>Sends every event whose pointer is older than the grace period. Returns the number published.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        if (!Enabled) return 0;
        // Registered by the first sweep: only instances that sweep (in Functions the timer runs on one) report a backlog.
        if (!_observed && metrics is not null)
        {
            _observed = true;
            metrics.ObserveOutboxBacklogAge(() => BacklogAge?.TotalSeconds);
        }
        DateTimeOffset? oldestLeft = null;
        var now = time.GetUtcNow();
        var before = (now - TimeSpan.FromSeconds(Math.Max(0, options.Value.OutboxGraceSeconds))).UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey lt {before}");
        var sent = 0;
        await foreach (var row in tables.Outbox.QueryAsync<TableEntity>(filter, maxPerPage: 500, cancellationToken: cancellationToken))
        {
            var ticks = long.Parse(row.RowKey.AsSpan(0, 19), System.Globalization.CultureInfo.InvariantCulture);
            var pointer = new Pointer(row.GetString("KeyId") ?? "", row.GetString("EventRow") ?? "", row.RowKey, null, new DateTimeOffset(ticks, TimeSpan.Zero));
            try
            {
                if (await DispatchAsync(pointer, cancellationToken)) sent++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                oldestLeft ??= pointer.WrittenAt;
                LogDispatchFailed(logger, pointer.KeyId, ex);
            }
        }
        Interlocked.Exchange(ref _oldestLeftTicks, oldestLeft?.UtcTicks ?? 0);
        return sent;
    }

    /// <summary>Publishes one event (unless already dispatched or never committed), marks it, removes its pointer.</summary>
    internal async Task<bool> DispatchAsync(Pointer pointer, CancellationToken cancellationToken)
    {
        var evt = pointer.Event;
        if (evt is null)
        {
            var row = await tables.Keys.GetEntityIfExistsAsync<TableEntity>(pointer.KeyId, pointer.EventRow, cancellationToken: cancellationToken);
            if (!row.HasValue)
            {
                // The change this pointer announced never committed (or not yet): stale after a while.
                if (time.GetUtcNow() - pointer.WrittenAt > StalePointerAge) await DeletePointerAsync(pointer, cancellationToken);
                return false;
            }
            if (row.Value!.GetBoolean("Dispatched") == true)
            {
                await DeletePointerAsync(pointer, cancellationToken);
                return false;
            }
            evt = KeyEntities.ToEvent(row.Value);
        }
        await publisher.PublishAsync(evt, cancellationToken);
        await tables.Keys.UpdateEntityAsync(new TableEntity(pointer.KeyId, pointer.EventRow)
        {
            ["Dispatched"] = true,
            ["DispatchedAt"] = time.GetUtcNow(),
        }, ETag.All, TableUpdateMode.Merge, cancellationToken);
        await DeletePointerAsync(pointer, cancellationToken);
        return true;
    }

    private async Task DeletePointerAsync(Pointer pointer, CancellationToken cancellationToken)
    {
        try
        {
            await tables.Outbox.DeleteEntityAsync(Partition, pointer.PointerRow, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Enabled) _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _committed.Writer.TryComplete();
        if (_loop is null) return;
        try
        {
            await _loop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Left for the sweeper: every committed event has its pointer.
        }
    }

    private async Task RunAsync()
    {
        await foreach (var pointer in _committed.Reader.ReadAllAsync())
        {
            try
            {
                await DispatchAsync(pointer, CancellationToken.None);
            }
            catch (Exception ex)
            {
                LogDispatchFailed(logger, pointer.KeyId, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing a lifecycle event of key {KeyId} failed; the outbox sweeper retries it")]
    private static partial void LogDispatchFailed(ILogger logger, string keyId, Exception exception);
}
