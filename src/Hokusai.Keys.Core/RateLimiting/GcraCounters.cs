using System.Collections.Concurrent;
using Hokusai.Keys.Domain;

namespace Hokusai.Keys.RateLimiting;

/// <summary>
/// In-process GCRA counters of refusals (failed verifications, bcrypt work per key id). A key without a recent count
/// costs one dictionary miss: the success path allocates nothing here.
/// </summary>
internal sealed class GcraCounters<TKey>(TimeProvider time) where TKey : notnull
{
    private const int PruneAbove = 100_000;
    private static readonly TimeSpan PruneInterval = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<TKey, Cell> _cells = new();
    private long _nextPruneMicros;
    private int _pruning;

    private sealed class Cell
    {
        public double Tat;

        /// <summary>Set under the cell's lock when it leaves the dictionary: a thread still holding it counts again in a fresh cell.</summary>
        public bool Removed;
    }

    /// <summary>How many times the dictionary was scanned for refilled cells (tests).</summary>
    internal int Prunes { get; private set; }

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
        bool? allowed = null;
        while (allowed is null)
        {
            var cell = _cells.GetOrAdd(key, static _ => new Cell());
            lock (cell)
            {
                if (cell.Removed) continue;
                var result = Gcra.Evaluate(policy, cell.Tat, now, 1);
                if (result.Allowed) cell.Tat = result.NewTat;
                allowed = result.Allowed;
            }
        }
        if (_cells.Count > PruneAbove) PruneOnce(now);
        return allowed.Value;
    }

    /// <summary>
    /// Forgets fully refilled cells (forgetting them changes nothing): at most once per interval and from one thread,
    /// so a flood of new keys does not scan the dictionary on every count. Each cell is re-checked under its lock.
    /// </summary>
    private void PruneOnce(double now)
    {
        var nowMicros = (long)now;
        if (nowMicros < Volatile.Read(ref _nextPruneMicros) || Interlocked.Exchange(ref _pruning, 1) == 1) return;
        try
        {
            Volatile.Write(ref _nextPruneMicros, nowMicros + (long)PruneInterval.TotalMicroseconds);
            Prunes++;
            foreach (var (name, c) in _cells)
            {
                if (!Monitor.TryEnter(c)) continue; // in use right now: not refilled
                try
                {
                    if (c.Removed || c.Tat >= now) continue;
                    c.Removed = true;
                    _cells.TryRemove(new KeyValuePair<TKey, Cell>(name, c));
                }
                finally
                {
                    Monitor.Exit(c);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _pruning, 0);
        }
    }

    private double NowMicros() => time.GetUtcNow().ToUnixTimeMilliseconds() * 1000.0;
}
