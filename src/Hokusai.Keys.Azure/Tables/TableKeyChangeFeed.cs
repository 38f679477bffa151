using Hokusai.Keys.Domain;
using Hokusai.Keys.Management;
using Hokusai.Keys.Storage;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Azure.Tables;

/// <summary>
/// <see cref="IKeyChangeFeed"/> on <see cref="KeyChangeLog"/>'s rows. A long-poll reads the table, and while it finds
/// nothing waits for a hint (<see cref="IKeyChangeSignal"/>) or the poll interval, whichever comes first, until its time
/// is up. Rows stamped within the settle window may still be joined by rows stamped earlier (other clocks, slow
/// writes), so the cursor stays there and remembers what it delivered (<see cref="KeyChangeCursor"/>).
/// </summary>
internal sealed class TableKeyChangeFeed(KeyChangeLog log, IKeyChangeSignal signal, IOptions<ChangeFeedOptions> options, TimeProvider time, KeyMetrics metrics)
    : IKeyChangeFeed
{
    /// <summary>Most rows one read takes; a follower further behind gets the rest on its next call, at once.</summary>
    internal const int MaxRowsPerRead = 1000;

    private ChangeFeedOptions Settings => options.Value;

    public async Task<KeyChangeCursor> HeadAsync(CancellationToken cancellationToken)
    {
        var start = new KeyChangeCursor(Settled(time.GetUtcNow()), []);
        // Everything already in the settle window counts as delivered: a new follower starts from now.
        var (_, head) = await ReadOnceAsync(start, Caller.System, cancellationToken);
        return head;
    }

    public async Task<KeyChangePage?> ReadAsync(KeyChangeCursor cursor, Caller caller, TimeSpan wait, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (cursor.Settled < now - TimeSpan.FromHours(Settings.RetentionHours)) return null;
        var deadline = now + wait;
        while (true)
        {
            // Taken before the read, so a change committed during the read still wakes the wait below.
            var hint = signal.NextAsync();
            var (changes, next) = await ReadOnceAsync(cursor, caller, cancellationToken);
            var left = deadline - time.GetUtcNow();
            if (changes.Count > 0 || left <= TimeSpan.Zero) return new KeyChangePage(changes, next);
            cursor = next;
            var interval = TimeSpan.FromMilliseconds(Math.Max(10, signal.HearsOtherInstances ? Settings.HintedPollMilliseconds : Settings.PollMilliseconds));
            await Task.WhenAny(hint, Task.Delay(left < interval ? left : interval, time, cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private async Task<(List<KeyChange> Changes, KeyChangeCursor Next)> ReadOnceAsync(KeyChangeCursor cursor, Caller caller, CancellationToken cancellationToken)
    {
        IReadOnlyList<KeyChangeLog.Row> rows;
        try
        {
            rows = await log.ReadAsync(cursor.SettledTicks, MaxRowsPerRead, cancellationToken);
        }
        catch (Exception ex) when (StorageErrors.IsUnavailable(ex))
        {
            metrics.DependencyError("storage");
            throw new StorageUnavailableException("Table Storage is unavailable.", ex);
        }
        var delivered = cursor.Seen.ToHashSet();
        var changes = rows
            .Where(r => !delivered.Contains(KeyChangeCursor.Tag(r.Id)) && KeyAuthority.CanSeeKeyOf(caller, r.Owner, r.Environment, r.HoldsAdmin))
            .Select(r => new KeyChange(r.KeyId, r.Type, r.OccurredAt))
            .ToList();

        var settled = Math.Max(cursor.SettledTicks, Settled(time.GetUtcNow()));
        // A full read stops mid-way: the next one starts no later than its last row.
        if (rows.Count >= MaxRowsPerRead) settled = Math.Max(cursor.SettledTicks, Math.Min(settled, rows[^1].Ticks));
        var remembered = rows.Where(r => r.Ticks >= settled).ToList();
        if (remembered.Count > KeyChangeCursor.MaxSeen)
        {
            // More changes within the settle window than a cursor holds: remember the newest, and keep the settled
            // point, so a row stamped earlier that becomes readable later is still delivered. The older rows of the
            // window come again until they settle: a follower evicts them twice, which costs a verify; a miss would
            // leave a changed key valid at the edge.
            remembered = remembered[^KeyChangeCursor.MaxSeen..];
        }
        return (changes, new KeyChangeCursor(settled, remembered.Select(r => KeyChangeCursor.Tag(r.Id)).ToList()));
    }

    private long Settled(DateTimeOffset now) => (now - TimeSpan.FromSeconds(Math.Max(0, Settings.SettleSeconds))).UtcTicks;
}
