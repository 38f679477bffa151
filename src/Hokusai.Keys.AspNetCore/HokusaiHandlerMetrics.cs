using System.Diagnostics.Metrics;

namespace Hokusai.Keys.AspNetCore;

/// <summary>
/// The handler's usage-reporting counters (meter <see cref="MeterName"/>): uses answered from the cache and counted,
/// reported (the platform took them) and dropped (by reason: a full counter, a full backlog, a report the platform refused
/// for good), so no use is lost without a trace.
/// </summary>
public sealed class HokusaiHandlerMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Hokusai.Keys.AspNetCore";

    /// <summary>The reason of a drop: the counter held as many distinct (key, address) pairs as it may.</summary>
    public const string CounterFull = "counter_full";

    /// <summary>The reason of a drop: as many reports waited to be sent as may; the oldest went.</summary>
    public const string BacklogFull = "backlog_full";

    /// <summary>The reason of a drop: the platform refused the report for good (400, 401, 403).</summary>
    public const string Refused = "refused";

    /// <summary>The reason of a drop: the uses were of keys the service key may not report (another owner or environment), which the platform skipped.</summary>
    public const string NotCovered = "not_covered";

    /// <summary>The reason of a drop: the host stopped before the platform took the report.</summary>
    public const string Shutdown = "shutdown";

    private readonly Counter<long> _counted;
    private readonly Counter<long> _reported;
    private readonly Counter<long> _dropped;

    /// <summary>Counters on a meter made by <paramref name="meters"/>.</summary>
    /// <param name="meters">The host's meter factory.</param>
    public HokusaiHandlerMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create(MeterName);
        _counted = meter.CreateCounter<long>("hokusai.handler.cached_uses", "{use}", "Uses answered from the handler's cache and counted for reporting.");
        _reported = meter.CreateCounter<long>("hokusai.handler.cached_uses_reported", "{use}", "Cached uses the platform took in a usage report.");
        _dropped = meter.CreateCounter<long>("hokusai.handler.cached_uses_dropped", "{use}", "Cached uses that will never be reported, by reason.");
    }

    internal void Counted() => _counted.Add(1);

    internal void Reported(long uses) => _reported.Add(uses);

    internal void Dropped(long uses, string reason) => _dropped.Add(uses, new KeyValuePair<string, object?>("reason", reason));
}
