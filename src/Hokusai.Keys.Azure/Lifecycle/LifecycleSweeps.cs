
namespace Hokusai.Keys.Azure.Lifecycle;

/// <summary>Entry points of the periodic lifecycle work (Functions timer triggers and the server's timer service).</summary>
public sealed class LifecycleSweeps
{
    private readonly EventOutbox _outbox;

    internal LifecycleSweeps(EventOutbox outbox, ExpirySweeper expiry, RotationDueSweeper rotationDue)
    {
        _outbox = outbox;
        Expiry = expiry;
        RotationDue = rotationDue;
    }

    public ExpirySweeper Expiry { get; }

    public RotationDueSweeper RotationDue { get; }

    public bool OutboxEnabled => _outbox.Enabled;

    /// <summary>Publishes lifecycle events left undispatched; returns how many were sent.</summary>
    public Task<int> SweepOutboxAsync(CancellationToken cancellationToken) => _outbox.SweepAsync(cancellationToken);

    public Task<int> SweepExpiryAsync(CancellationToken cancellationToken) => Expiry.SweepAsync(cancellationToken);

    /// <summary>Records the <c>key.rotation_due</c> reminders that are due; returns how many.</summary>
    public Task<int> SweepRotationDueAsync(CancellationToken cancellationToken) => RotationDue.SweepAsync(cancellationToken);
}
