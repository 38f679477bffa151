namespace Hokusai.Keys.Infra.Tests.Alerts;

/// <summary>
/// Rows of the Log Analytics table <c>AppMetrics</c> as the Azure Monitor OpenTelemetry exporter writes them: one row per
/// instrument, attribute set and export interval; a counter's delta and a gauge's value in <c>Sum</c>, a histogram's
/// largest value in <c>Max</c>, the attributes in <c>Properties</c>. Only the columns the alerts may read exist.
/// </summary>
internal static class AppMetricsSample
{
    public const string Table = "AppMetrics";

    public static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    public static readonly string[] Columns = ["TimeGenerated", "Name", "Sum", "Min", "Max", "ItemCount", "Properties", "AppRoleName", "AppRoleInstance"];

    public static KqlSubset.Row Metric(string name, double minutesAgo, double sum, IReadOnlyDictionary<string, object?>? properties = null, double? max = null, string instance = "instance-1") =>
        new()
        {
            ["TimeGenerated"] = Now.AddMinutes(-minutesAgo),
            ["Name"] = name,
            ["Sum"] = sum,
            ["Min"] = max ?? sum,
            ["Max"] = max ?? sum,
            ["ItemCount"] = 1L,
            ["Properties"] = properties ?? new Dictionary<string, object?>(),
            ["AppRoleName"] = "func-hokusai",
            ["AppRoleInstance"] = instance,
        };

    public static IReadOnlyDictionary<string, object?> Tags(params (string Name, string Value)[] tags) =>
        tags.ToDictionary(t => t.Name, t => (object?)t.Value);

    /// <summary>One row per 5 minutes over the day before the last 5 minutes.</summary>
    public static IEnumerable<KqlSubset.Row> EveryFiveMinutesOfTheDay(string name, double sum, IReadOnlyDictionary<string, object?> properties) =>
        Enumerable.Range(2, 286).Select(i => Metric(name, i * 5, sum, properties));
}
