using BenchmarkDotNet.Attributes;
using Hokusai.Keys.Azure.Usage;
using Hokusai.Keys.Usage;

namespace Hokusai.Keys.Benchmarks;

/// <summary>
/// The usage producer's per-event cost: one flush of 20,000 events over 1,000 keys filed and packed into gzip-compressed
/// queue messages (columns per key) by a reused <see cref="UsageBatchEncoder"/>, as the recorder's thread does it.
/// </summary>
[MemoryDiagnoser]
public class UsagePackBenchmarks
{
    private const int Events = 20_000;
    private readonly UsageBatchEncoder _encoder = new();
    private UsageEvent[] _events = null!;

    [GlobalSetup]
    public void Setup()
    {
        var now = DateTimeOffset.UtcNow;
        var address = System.Net.IPAddress.Parse("203.0.113.7");
        _events = Enumerable.Range(0, Events)
            .Select(i => new UsageEvent("k" + (i % 1000).ToString("D15", System.Globalization.CultureInfo.InvariantCulture), "owner", now.AddMilliseconds(i), "VALID", address, 1))
            .ToArray();
    }

    [Benchmark(Description = "file + pack 20,000 events (columns + gzip), reused encoder", OperationsPerInvoke = Events)]
    public int EncodeAndPack()
    {
        foreach (var e in _events) _encoder.Add(e);
        return _encoder.Flush().Count;
    }
}
