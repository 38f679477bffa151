using BenchmarkDotNet.Attributes;
using Hokusai.Keys.Azure.Usage;
using Hokusai.Keys.Usage;

namespace Hokusai.Keys.Benchmarks;

/// <summary>Packing one flush of usage events (2,000, over 1,000 keys) into gzip-compressed queue messages: the producer's per-event cost.</summary>
[MemoryDiagnoser]
public class UsagePackBenchmarks
{
    private List<UsageEvent> _events = null!;

    [GlobalSetup]
    public void Setup()
    {
        var now = DateTimeOffset.UtcNow;
        _events = Enumerable.Range(0, 2000)
            .Select(i => new UsageEvent("k" + (i % 1000).ToString("D15", System.Globalization.CultureInfo.InvariantCulture), "owner", now, "VALID", System.Net.IPAddress.Loopback, 1))
            .ToList();
    }

    [Benchmark(Description = "pack 2,000 events (JSON + gzip)")]
    public int Pack() => UsageMessage.Pack(_events).Count;
}
