using static Hokusai.Keys.Infra.Tests.Alerts.AppMetricsSample;
using Row = Hokusai.Keys.Infra.Tests.Alerts.KqlSubset.Row;

namespace Hokusai.Keys.Infra.Tests.Alerts;

/// <summary>
/// Every alert query of infra/alerts/ runs against sample AppMetrics rows where it must fire (return rows) and rows where
/// it must not: an alert that cannot fire, or fires on normal traffic, fails here. The rules fire on "more than 0 rows".
/// </summary>
public sealed class AlertQueryTests
{
    private const string Validations = "hokusai.validations";

    private static IReadOnlyDictionary<string, object?> Refusal(string code, string bucket = "o07", string environment = "live") =>
        Tags(("code", code), ("endpoint", "verify"), ("environment", environment), ("owner_bucket", bucket));

    /// <summary>Per alert: rows where it fires, and named cases where it stays quiet.</summary>
    private static readonly Dictionary<string, (Row[] Fires, Dictionary<string, Row[]> Quiet)> Samples = new(StringComparer.Ordinal)
    {
        ["failed-auth-spike"] = (
            [.. EveryFiveMinutesOfTheDay(Validations, 10, Refusal("NOT_FOUND")), Metric(Validations, 1, 150, Refusal("NOT_FOUND")), Metric(Validations, 2, 60, Refusal("REVOKED"))],
            new()
            {
                ["usual for this deployment (over the threshold, under 5x the baseline)"] =
                    [.. EveryFiveMinutesOfTheDay(Validations, 100, Refusal("NOT_FOUND")), Metric(Validations, 1, 210, Refusal("NOT_FOUND"))],
                ["under the threshold with no baseline"] = [Metric(Validations, 1, 90, Refusal("NOT_FOUND"))],
                ["valid answers"] = [Metric(Validations, 1, 5000, Refusal("VALID"))],
                ["rate limits and quotas (their own alerts)"] = [Metric(Validations, 1, 300, Refusal("RATE_LIMITED")), Metric(Validations, 1, 300, Refusal("QUOTA_EXCEEDED"))],
                ["spike older than 5 minutes"] = [Metric(Validations, 7, 500, Refusal("NOT_FOUND"))],
                ["split over environments, each under the threshold"] =
                    [Metric(Validations, 1, 60, Refusal("NOT_FOUND", environment: "live")), Metric(Validations, 1, 60, Refusal("NOT_FOUND", environment: "test"))],
            }),
        ["rate-limit-spike"] = (
            [Metric(Validations, 1, 400, Refusal("RATE_LIMITED")), Metric(Validations, 3, 200, Refusal("RATE_LIMITED"))],
            new()
            {
                ["two owner buckets under the threshold each"] = [Metric(Validations, 1, 300, Refusal("RATE_LIMITED", "o01")), Metric(Validations, 1, 300, Refusal("RATE_LIMITED", "o02"))],
                ["older than the window"] = [Metric(Validations, 6, 900, Refusal("RATE_LIMITED"))],
                ["another code"] = [Metric(Validations, 1, 900, Refusal("QUOTA_EXCEEDED"))],
            }),
        ["quota-exceeded-spike"] = (
            [Metric(Validations, 1, 80, Refusal("QUOTA_EXCEEDED")), Metric(Validations, 10, 40, Refusal("QUOTA_EXCEEDED"))],
            new()
            {
                ["under the threshold"] = [Metric(Validations, 1, 90, Refusal("QUOTA_EXCEEDED"))],
                ["older than the window"] = [Metric(Validations, 20, 500, Refusal("QUOTA_EXCEEDED"))],
                ["another code"] = [Metric(Validations, 1, 500, Refusal("RATE_LIMITED"))],
            }),
        ["key-many-addresses"] = (
            [Metric("hokusai.usage.key_hour_addresses", 10, 300, Tags(("owner_bucket", "o03")), max: 80), Metric("hokusai.usage.key_hour_addresses", 5, 10, Tags(("owner_bucket", "o04")), max: 3)],
            new()
            {
                ["few addresses"] = [Metric("hokusai.usage.key_hour_addresses", 10, 300, Tags(("owner_bucket", "o03")), max: 40)],
                ["many addresses over an hour ago"] = [Metric("hokusai.usage.key_hour_addresses", 90, 3000, Tags(("owner_bucket", "o03")), max: 500)],
            }),
        ["leak-reports"] = (
            [Metric("hokusai.leaks.reported", 3, 1, Tags(("reporter", "github"), ("outcome", "revoked")))],
            new()
            {
                ["none in the window"] = [Metric("hokusai.leaks.reported", 30, 1, Tags(("reporter", "github"), ("outcome", "revoked")))],
                ["other metrics only"] = [Metric(Validations, 1, 1000, Refusal("REVOKED"))],
            }),
        ["usage-poison-queue"] = (
            [Metric("hokusai.usage.poison_messages", 2, 0), Metric("hokusai.usage.poison_messages", 1, 3)],
            new()
            {
                ["empty poison queue"] = [Metric("hokusai.usage.poison_messages", 2, 0), Metric("hokusai.usage.poison_messages", 1, 0)],
                ["emptied over 15 minutes ago"] = [Metric("hokusai.usage.poison_messages", 20, 5)],
            }),
        ["outbox-backlog"] = (
            [Metric("hokusai.outbox.backlog_age", 1, 1200), Metric("hokusai.outbox.backlog_age", 1, 0, instance: "instance-2")],
            new()
            {
                ["young backlog"] = [Metric("hokusai.outbox.backlog_age", 1, 300)],
                ["no backlog"] = [Metric("hokusai.outbox.backlog_age", 1, 0)],
            }),
        ["redis-unavailable"] = (
            [.. Enumerable.Range(0, 4).Select(i => Metric("hokusai.redis.available", i + 0.5, 0)), Metric("hokusai.redis.available", 1, 1, instance: "instance-2")],
            new()
            {
                ["up"] = [.. Enumerable.Range(0, 4).Select(i => Metric("hokusai.redis.available", i + 0.5, 1))],
                ["a blip (down twice)"] = [Metric("hokusai.redis.available", 1, 0), Metric("hokusai.redis.available", 2, 0)],
                ["back up within the window"] = [.. Enumerable.Range(0, 4).Select(i => Metric("hokusai.redis.available", i + 1, 0)), Metric("hokusai.redis.available", 0.5, 1)],
                ["down over 5 minutes ago"] = [.. Enumerable.Range(0, 4).Select(i => Metric("hokusai.redis.available", 6 + i, 0))],
            }),
    };

    public static TheoryData<string> Alerts => new(AlertFiles.All.Keys);

    public static TheoryData<string, string> QuietCases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var (alert, sample) in Samples)
                foreach (var name in sample.Quiet.Keys) data.Add(alert, name);
            return data;
        }
    }

    [Fact]
    public void Every_alert_file_has_samples_and_every_sample_a_file()
    {
        Assert.True(AlertFiles.All.Count >= 8, $"only {AlertFiles.All.Count} alert files in {AlertFiles.Directory}");
        Assert.Equal(AlertFiles.All.Keys.Order(StringComparer.Ordinal), Samples.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Alerts))]
    public void Alert_reads_only_app_metrics_columns(string alert)
    {
        var query = AlertFiles.Parse(alert);
        Assert.Equal(Table, query.Table);
        Assert.Empty(query.ColumnsRead.Except(Columns));
    }

    [Theory]
    [MemberData(nameof(Alerts))]
    public void Alert_fires_on_its_sample(string alert)
    {
        var rows = AlertFiles.Parse(alert).Run(Samples[alert].Fires, Now);
        Assert.True(rows.Count > 0, $"{alert} returned no row on the sample where it must fire");
    }

    [Theory]
    [MemberData(nameof(QuietCases))]
    public void Alert_stays_quiet(string alert, string @case)
    {
        var rows = AlertFiles.Parse(alert).Run(Samples[alert].Quiet[@case], Now);
        Assert.True(rows.Count == 0, $"{alert} fired on \"{@case}\": {string.Join("; ", rows.Select(r => string.Join(", ", r.Select(p => $"{p.Key}={p.Value}"))))}");
    }
}
