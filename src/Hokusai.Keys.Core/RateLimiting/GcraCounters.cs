using System.Collections.Concurrent;
using Hokusai.Keys.Keys;

namespace Hokusai.Keys.RateLimiting;

/// <summary>
/// In-process GCRA counters of refusals (failed verifications, bcrypt work per key id). A key without a recent count
/// costs one dictionary miss: the success path allocates nothing here.
/// </summary>
internal sealed class GcraCounters<TKey>(TimeProvider time) where TKey : notnull
{
    private const int PruneAbove = 100_000;
    private readonly ConcurrentDictionary<TKey, Cell> _cells = new();

    private sealed class Cell
    {
        public double Tat;
    }

    /// <summary>True when one more count for <paramref name="key"/> would exceed <paramref name="policy"/>.</summary>
    public bool IsExhausted(TKey key, RateLimitPolicy policy)
    {
        if (!_cells.TryGetValue(key, out var cell)) return false;
        var now = NowMicros();
        lock (cell) return !Gcra.Evaluate(policy, cell.Tat, now, 1).Allowed;
    }

    /// <summary>Counts one for <paramref name="key"/>; false (and nothing counted) when the budget was already spent.</summary>
    public bool TryCount(TKey key, RateLimitPolicy policy)
    {
        var now = NowMicros();
        var cell = _cells.GetOrAdd(key, static _ => new Cell());
        bool allowed;
        lock (cell)
        {
            var result = Gcra.Evaluate(policy, cell.Tat, now, 1);
            allowed = result.Allowed;
            if (allowed) cell.Tat = result.NewTat;
        }
        if (_cells.Count > PruneAbove)
            foreach (var (name, c) in _cells)
                if (c.Tat < now) _cells.TryRemove(name, out _); // fully refilled: forgetting it changes nothing
        return allowed;
    }

    private double NowMicros() => time.GetUtcNow().ToUnixTimeMilliseconds() * 1000.0;
}
