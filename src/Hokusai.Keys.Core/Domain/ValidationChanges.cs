using System.Collections.Frozen;

namespace Hokusai.Keys.Domain;

/// <summary>
/// Which key events the change feed carries: every event type except those known never to change what validating the
/// key answers. An event type added later (suspend, resume, …) is in the feed unless it is added to
/// <see cref="Neutral"/>: a needless eviction costs one verify, a missed one leaves a stale answer at the edge.
/// </summary>
public static class ValidationChanges
{
    /// <summary>Events that never change a validation outcome: a new key (nobody held it before), notices and thresholds.</summary>
    private static readonly FrozenSet<string> Neutral = FrozenSet.Create(StringComparer.Ordinal,
        KeyEventTypes.Created, KeyEventTypes.Expiring, KeyEventTypes.QuotaThreshold);

    public static bool MayChangeOutcome(string eventType) => !Neutral.Contains(eventType);
}
