using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Azure.Tables;

/// <summary>
/// What a key write asks of the event outbox (Lifecycle's <c>EventOutbox</c>): announce the audit event before the
/// transaction that stores it, hand it over once that transaction committed. An interface, so the tables do not depend
/// on the publishing side.
/// </summary>
internal interface IKeyEventOutbox
{
    /// <summary>Before the transaction that writes <paramref name="evt"/>.</summary>
    Task WriteIntentAsync(KeyEvent evt, CancellationToken cancellationToken);

    /// <summary>After the transaction committed.</summary>
    void Committed(KeyEvent evt);
}
