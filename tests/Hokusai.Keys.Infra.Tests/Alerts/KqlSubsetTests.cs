using static Hokusai.Keys.Infra.Tests.Alerts.AppMetricsSample;

namespace Hokusai.Keys.Infra.Tests.Alerts;

/// <summary>The evaluator the alert tests stand on: what it computes, and that it refuses what it does not model.</summary>
public sealed class KqlSubsetTests
{
    private static readonly KqlSubset.Row[] Rows =
    [
        Metric("a", 1, 3, Tags(("code", "X"))),
        Metric("a", 2, 4, Tags(("code", "Y"))),
        Metric("a", 20, 5, Tags(("code", "X"))),
        Metric("b", 1, 100),
    ];

    [Fact]
    public void Where_extend_summarize_by_compute_like_kusto()
    {
        var rows = KqlSubset.Parse("""
            AppMetrics // the table
            | where Name == "a" and TimeGenerated > ago(1h)
            | extend code = tostring(Properties.code), missing = tostring(Properties.nothing)
            | summarize n = count(), total = sum(Sum), recent = sumif(Sum, TimeGenerated > ago(5m)), x = countif(code == "X"), top = max(Sum) by missing
            | extend ratio = total / 4, exact = total / 4.0, integer = 7 / 2
            | where n >= 3 or top > 1000
            """).Run(Rows, Now);
        var row = Assert.Single(rows);
        Assert.Equal("", row["missing"]);
        Assert.Equal(3L, row["n"]);
        Assert.Equal(12.0, row["total"]);
        Assert.Equal(7.0, row["recent"]);
        Assert.Equal(2L, row["x"]);
        Assert.Equal(5.0, row["top"]);
        Assert.Equal(3.0, row["ratio"]);
        Assert.Equal(3.0, row["exact"]);
        Assert.Equal(3L, row["integer"]);
    }

    [Fact]
    public void Groups_by_columns_and_compares_null_as_false()
    {
        var rows = KqlSubset.Parse("AppMetrics | extend code = Properties.code | summarize total = sum(Sum) by Name, code | where code != \"X\"").Run(Rows, Now);
        Assert.Equal(["Y"], rows.Select(r => (string?)r["code"]));
        Assert.Single(KqlSubset.Parse("AppMetrics | extend code = Properties.code | summarize total = sum(Sum) by Name, code | where total > 7 and total < 50").Run(Rows, Now));
    }

    [Theory]
    [InlineData("AppMetrics | project Name", "operator 'project'")]
    [InlineData("AppMetrics | join (AppTraces) on Name", "operator 'join'")]
    [InlineData("AppMetrics | summarize n = count()", "without 'by'")]
    [InlineData("AppMetrics | summarize count() by Name", "expected =")]
    [InlineData("AppMetrics | summarize n = dcount(Name) by Name", "aggregation 'dcount'")]
    [InlineData("AppMetrics | summarize n = count() by bin(TimeGenerated, 5m)", "only columns")]
    [InlineData("AppMetrics | where Name contains \"a\"", "expected |")]
    [InlineData("AppMetrics | where tolower(Name) == \"a\"", "function 'tolower'")]
    [InlineData("AppMetrics | where Name in (\"a\")", "expected |")]
    [InlineData("AppMetrics | where Properties[\"code\"] == \"a\"", "character '['")]
    [InlineData("AppMetrics | where Name == 'a'", "character '''")]
    [InlineData("AppMetrics | where TimeGenerated > ago(1w)", "timespan unit 'w'")]
    [InlineData("AppMetrics | summarize n = count() by Name | where Sum > 1", "unknown column 'Sum'")]
    [InlineData("let x = 1; AppMetrics", "character ';'")]
    public void Refuses_what_it_does_not_model(string query, string reason)
    {
        var refused = Record.Exception(() => KqlSubset.Parse(query).Run(Rows, Now));
        Assert.IsType<KqlNotSupportedException>(refused);
        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelt_column_is_an_error_not_null()
    {
        var refused = Record.Exception(() => KqlSubset.Parse("AppMetrics | where Nmae == \"a\"").Run(Rows, Now));
        Assert.Contains("unknown column 'Nmae'", Assert.IsType<KqlNotSupportedException>(refused).Message, StringComparison.Ordinal);
    }
}
