
namespace Hokusai.Keys.Azure.Lifecycle;

/// <summary>Entry points of the periodic lifecycle work (Functions timer triggers and the server's timer service).</summary>
public sealed class LifecycleSweeps
{
    private readonly EventOutbox _outbox;
    private readonly Usage.UsagePoisonProbe? _poison;
    private readonly Tables.KeyChangeLog _changes;
    private readonly TimeSpan _changeRetention;

    internal LifecycleSweeps(EventOutbox outbox, ExpirySweeper expiry, RotationDueSweeper rotationDue, Tables.KeyChangeLog changes, ChangeFeedOptions changeFeed,
        Usage.UsagePoisonProbe? poison = null)
    {
        _outbox = outbox;
        Expiry = expiry;
        RotationDue = rotationDue;
        _changes = changes;
        _changeRetention = TimeSpan.FromHours(changeFeed.RetentionHours);
        _poison = poison;
    }

    public ExpirySweeper Expiry { get; }

    public RotationDueSweeper RotationDue { get; }

    public bool OutboxEnabled => _outbox.Enabled;

    /// <summary>Publishes lifecycle events left undispatched; returns how many were sent. Also measures the usage poison
    /// queue (<see cref="Usage.UsagePoisonProbe"/>): this is the one frequent timer both hosts run.</summary>
    public async Task<int> SweepOutboxAsync(CancellationToken cancellationToken)
    {
        if (_poison is not null) await _poison.MeasureAsync(cancellationToken);
        return await _outbox.SweepAsync(cancellationToken);
    }

    public Task<int> SweepExpiryAsync(CancellationToken cancellationToken) => Expiry.SweepAsync(cancellationToken);

    /// <summary>Records the <c>key.rotation_due</c> reminders that are due; returns how many.</summary>
    public Task<int> SweepRotationDueAsync(CancellationToken cancellationToken) => RotationDue.SweepAsync(cancellationToken);

    /// <summary>Deletes change feed entries past <see cref="ChangeFeedOptions.RetentionHours"/>; returns how many.</summary>
    public Task<int> SweepChangeFeedAsync(CancellationToken cancellationToken) => _changes.PurgeAsync(_changeRetention, cancellationToken);
}
