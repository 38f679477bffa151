using System.Diagnostics.Metrics;
using Hokusai.Keys.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Hokusai.Keys.Azure.Tests;

/// <summary>
/// Listens to the <see cref="KeyMetrics"/> instruments of one server only (its meter factory hands out one cached meter
/// per name), so tests running side by side in the process do not see each other's measurements.
/// </summary>
internal sealed class ServerMeter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = [];

    public ServerMeter(HokusaiServer server)
    {
        var meter = server.Services.GetRequiredService<IMeterFactory>().Create(KeyMetrics.MeterName);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags) copy[tag.Key] = tag.Value;
        lock (_measurements) _measurements.Add((instrument.Name, value, copy));
    }

    /// <summary>What <paramref name="instrument"/> recorded so far.</summary>
    public List<(double Value, Dictionary<string, object?> Tags)> Recorded(string instrument)
    {
        lock (_measurements) return _measurements.Where(m => m.Instrument == instrument).Select(m => (m.Value, m.Tags)).ToList();
    }

    /// <summary>The values an observable gauge reports now.</summary>
    public List<double> Observe(string instrument)
    {
        lock (_measurements) _measurements.RemoveAll(m => m.Instrument == instrument);
        _listener.RecordObservableInstruments();
        return Recorded(instrument).Select(m => m.Value).ToList();
    }

    public void Dispose() => _listener.Dispose();
}
