using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Azure.Lifecycle;

/// <summary>Publishes key lifecycle events. Disabled (events stay in the audit table) where nothing is configured.</summary>
public interface IKeyEventPublisher
{
    bool IsEnabled { get; }

    Task PublishAsync(KeyEvent evt, CancellationToken cancellationToken);
}
