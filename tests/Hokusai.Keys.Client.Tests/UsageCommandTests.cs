using Hokusai.Keys.Client.Models;

namespace Hokusai.Keys.Client.Tests;

/// <summary>
/// <c>auth usage</c> against <c>GET /api/keys/{id}/usage</c> (aggregates appear about a second after the verifications).
/// </summary>
public sealed class UsageCommandTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly CliRunner _cli = new(fixture);

    [Fact]
    public async Task Usage_draws_a_bar_chart_and_json_has_the_report_shape()
    {
        var (id, key) = await fixture.CreateKeyAsync(new CreateKeyOptions { Name = "Used", Scopes = ["a"] });
        using var anonymous = fixture.NewClient(null);
        for (var i = 0; i < 3; i++) Assert.True((await anonymous.VerifyAsync(key)).Valid);
        Assert.False((await anonymous.VerifyAsync(key, requiredScopes: ["b"])).Valid);

        // Usage is aggregated asynchronously (in-process buffer ≤ 1 s, then the queue consumer): poll for up to 10 s.
        var json = await _cli.AdminAsync("auth", "usage", id, "--days", "1", "--granularity", "hour", "--json");
        for (var waited = 0; waited < 100 && json.ExitCode == 0
             && json.Json().GetProperty("buckets").EnumerateArray().Sum(b => b.GetProperty("total").GetInt64()) < 4; waited++)
        {
            await Task.Delay(100);
            json = await _cli.AdminAsync("auth", "usage", id, "--days", "1", "--granularity", "hour", "--json");
        }
        Assert.True(json.ExitCode == 0, json.ToString());
        var report = json.Json();
        Assert.Equal(id, report.GetProperty("keyId").GetString());
        Assert.Equal("hour", report.GetProperty("granularity").GetString());
        var buckets = report.GetProperty("buckets").EnumerateArray().ToList();
        Assert.Equal(4, buckets.Sum(b => b.GetProperty("total").GetInt64()));
        Assert.Equal(3, buckets.Sum(b => b.GetProperty("allowed").GetInt64()));

        var chart = await new CliRunner(fixture) { TerminalWidth = 100 }.AdminAsync("auth", "usage", id, "--days", "1", "--granularity", "hour");
        Assert.True(chart.ExitCode == 0, chart.ToString());
        Assert.Contains(DateTimeOffset.UtcNow.ToString("MM-dd HH:00", System.Globalization.CultureInfo.InvariantCulture), chart.Out);
        Assert.Contains("Total 4, allowed 3, denied 1", chart.Out);
        Assert.Contains("INSUFFICIENT_SCOPE", chart.Out);
    }
}
