
namespace Hokusai.Keys.Azure.Usage;

/// <summary>Outcome of one usage message.</summary>
/// <param name="BatchId">The message's batch id.</param>
/// <param name="Events">Usage events in the message.</param>
/// <param name="Keys">Keys the events are about.</param>
/// <param name="Writes">Table transactions committed (one per key, or per 99 hours of one key).</param>
/// <param name="Duplicates">(key, batch) parts already applied by an earlier delivery, skipped.</param>
public sealed record IngestResult(string BatchId, int Events, int Keys, int Writes, int Duplicates);
