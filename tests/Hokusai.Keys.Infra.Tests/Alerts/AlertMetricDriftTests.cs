using System.Diagnostics;
using System.Diagnostics.Metrics;
using Hokusai.Keys.Validation;
using Microsoft.Extensions.DependencyInjection;

namespace Hokusai.Keys.Infra.Tests.Alerts;

/// <summary>
/// No alert that cannot fire for want of data: every metric an alert query names is an instrument of
/// <see cref="KeyMetrics"/>, every <c>Properties.x</c> it reads is a tag that instrument is recorded with, and every code
/// it compares with is a validation code the app answers.
/// </summary>
public sealed class AlertMetricDriftTests
{
    /// <summary>Instrument name → the tag names it was recorded with, from a listener while each recording method runs.</summary>
    private static readonly Dictionary<string, HashSet<string>> Emitted = CollectEmitted();

    private static Dictionary<string, HashSet<string>> CollectEmitted()
    {
        var emitted = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        using var provider = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new KeyMetrics(provider.GetRequiredService<IMeterFactory>());
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name != KeyMetrics.MeterName) return;
            lock (emitted) emitted.TryAdd(instrument.Name, new HashSet<string>(StringComparer.Ordinal));
            l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var names = new List<string>();
            foreach (var tag in tags) names.Add(tag.Key);
            lock (emitted) emitted[instrument.Name].UnionWith(names);
        }
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Record(instrument, tags));
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Record(instrument, tags));
        listener.Start();

        metrics.Validation(ValidationCode.NotFound.ToWire(), "verify", "live", OwnerBucket.Of("someone"), Stopwatch.GetTimestamp(), cached: false);
        metrics.LeakReported("github", "revoked");
        metrics.KeyHourAddresses(3, OwnerBucket.Of("someone"));
        metrics.ObserveUsagePoisonMessages(() => 1);
        metrics.ObserveOutboxBacklogAge(() => 1);
        metrics.ObserveRedisAvailability(() => true);
        listener.RecordObservableInstruments();
        return emitted;
    }

    private static string MetricOf(KqlSubset query, string alert) =>
        Assert.Single(query.StringComparisons.Where(c => c.Column == "Name").Select(c => c.Literal).Distinct());

    [Theory]
    [MemberData(nameof(AlertQueryTests.Alerts), MemberType = typeof(AlertQueryTests))]
    public void Alert_names_a_metric_the_app_emits(string alert)
    {
        var metric = MetricOf(AlertFiles.Parse(alert), alert);
        Assert.True(Emitted.ContainsKey(metric), $"{alert} queries '{metric}', which KeyMetrics does not emit ({string.Join(", ", Emitted.Keys)})");
    }

    [Theory]
    [MemberData(nameof(AlertQueryTests.Alerts), MemberType = typeof(AlertQueryTests))]
    public void Alert_reads_only_dimensions_its_metric_carries(string alert)
    {
        var query = AlertFiles.Parse(alert);
        var metric = MetricOf(query, alert);
        var missing = query.PropertiesRead.Except(Emitted.GetValueOrDefault(metric) ?? []).ToList();
        Assert.True(missing.Count == 0, $"{alert} reads Properties.{string.Join(", Properties.", missing)}, which {metric} is not recorded with");
    }

    [Theory]
    [MemberData(nameof(AlertQueryTests.Alerts), MemberType = typeof(AlertQueryTests))]
    public void Alert_compares_codes_the_app_answers(string alert)
    {
        var codes = Enum.GetValues<ValidationCode>().Select(c => c.ToWire()).ToHashSet(StringComparer.Ordinal);
        var unknown = AlertFiles.Parse(alert).StringComparisons.Where(c => c.Column == "code" && !codes.Contains(c.Literal)).Select(c => c.Literal).ToList();
        Assert.True(unknown.Count == 0, $"{alert} compares code with {string.Join(", ", unknown)}: not a validation code");
    }

    [Fact]
    public void The_listener_sees_the_instruments_the_alerts_need()
    {
        string[] expected = [KeyMetrics.ValidationsName, KeyMetrics.LeaksReportedName, KeyMetrics.KeyHourAddressesName,
            KeyMetrics.UsagePoisonMessagesName, KeyMetrics.OutboxBacklogAgeName, KeyMetrics.RedisAvailableName];
        Assert.Empty(expected.Except(Emitted.Keys));
        Assert.Superset(new HashSet<string> { "code", "endpoint", "environment", "owner_bucket" }, Emitted[KeyMetrics.ValidationsName]);
    }
}
