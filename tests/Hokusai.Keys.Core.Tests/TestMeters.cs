using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Hokusai.Keys.Core.Tests;

/// <summary>An <see cref="IMeterFactory"/> that records what its own meters measure (tests running in parallel do not see each other's).</summary>
internal sealed class TestMeters : IMeterFactory
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Meter> _meters = new();
    private readonly ConcurrentQueue<Measurement> _measurements = new();

    public sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

    public TestMeters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, this)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public Meter Create(MeterOptions options)
    {
        options.Scope = this;
        var meter = new Meter(options);
        _meters.Enqueue(meter);
        return meter;
    }

    public IReadOnlyList<Measurement> Of(string instrument) => [.. _measurements.Where(m => m.Instrument == instrument)];

    public double Sum(string instrument) => Of(instrument).Sum(m => m.Value);

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copied = new Dictionary<string, object?>();
        foreach (var tag in tags) copied[tag.Key] = tag.Value;
        _measurements.Enqueue(new Measurement(instrument.Name, value, copied));
    }

    public void Dispose()
    {
        _listener.Dispose();
        while (_meters.TryDequeue(out var meter)) meter.Dispose();
    }
}
