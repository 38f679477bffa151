namespace Hokusai.Keys.AspNetCore;

/// <summary>
/// Counts the uses the handler answers from its cache, per scheme, key and client address, until
/// <see cref="HokusaiUsageReporter"/> takes them. Bounded: at most <see cref="MaxEntries"/> distinct entries wait; a use
/// that would need another is dropped and counted (<see cref="HokusaiHandlerMetrics"/>, reason <c>counter_full</c>).
/// A lock rather than lock-free counters: a use recorded while the reporter takes the counts must land in this round or
/// the next, never in a dictionary already taken.
/// </summary>
internal sealed class HokusaiCachedUseCounter(HokusaiHandlerMetrics metrics)
{
    public const int MaxEntries = 100_000;

    private readonly Lock _gate = new();
    private Dictionary<Use, long> _counts = [];
    private long _droppedSinceTaken;

    /// <summary>One counted entry: the scheme whose service key reports it, the key's id and the client's address (null when not forwarded).</summary>
    public readonly record struct Use(string Scheme, string KeyId, string? ClientIp);

    public void Record(string scheme, string keyId, string? clientIp)
    {
        var use = new Use(scheme, keyId, clientIp);
        lock (_gate)
        {
            if (_counts.TryGetValue(use, out var count)) _counts[use] = count + 1;
            else if (_counts.Count < MaxEntries) _counts[use] = 1;
            else
            {
                _droppedSinceTaken++;
                metrics.Dropped(1, HokusaiHandlerMetrics.CounterFull);
                return;
            }
        }
        metrics.Counted();
    }

    /// <summary>Everything counted since the last take, and how many uses were dropped meanwhile; the counter starts afresh.</summary>
    public (Dictionary<Use, long> Counts, long Dropped) Take()
    {
        lock (_gate)
        {
            var taken = (_counts, _droppedSinceTaken);
            _counts = [];
            _droppedSinceTaken = 0;
            return taken;
        }
    }
}
