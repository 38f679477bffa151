using Microsoft.Extensions.Caching.Memory;

namespace Hokusai.Keys.RateLimiting;

/// <summary>In-process counters (GCRA TATs and quota usage), bounded in number, each updated under its own lock.</summary>
internal sealed class LocalBuckets : IDisposable
{
    private readonly MemoryCache _cells = new(new MemoryCacheOptions { SizeLimit = 200_000 });

    private sealed class Cell
    {
        public double Value;
    }

    /// <summary>Applies <paramref name="update"/> to the cell atomically; the cell lives <paramref name="lifetime"/> after its last use.</summary>
    public T Update<T>(string name, TimeSpan lifetime, Func<double, (double NewValue, T Result)> update)
    {
        var cell = _cells.GetOrCreate(name, entry =>
        {
            entry.Size = 1;
            entry.SlidingExpiration = lifetime;
            return new Cell();
        })!;
        lock (cell)
        {
            var (value, result) = update(cell.Value);
            cell.Value = value;
            return result;
        }
    }

    public void Dispose() => _cells.Dispose();
}
