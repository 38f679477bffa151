namespace Hokusai.Keys.Azure.Tests;

/// <summary>A leak report that acts on a key is counted, by reporter and outcome (the leak-reports alert queries it).</summary>
public sealed class LeakMetricTests
{
    [Fact]
    public async Task A_reported_leak_that_revokes_a_key_is_counted_once_and_a_replay_is_not()
    {
        var (_, server, admin) = await Fixtures.StartAsync();
        using var _ = server;
        using var meter = new ServerMeter(server);
        var (_, key) = await admin.CreateKeyAsync(new { name = "leaky" });
        var client = server.Client();

        Assert.Equal(200, (await client.SendAsync(HttpMethod.Post, "/api/keys/report-leak", new { key, url = "https://example.com/paste" })).Status);
        Assert.Equal(200, (await client.SendAsync(HttpMethod.Post, "/api/keys/report-leak", new { key, url = "https://example.com/paste" })).Status);

        var counted = meter.Recorded(KeyMetrics.LeaksReportedName);
        var one = Assert.Single(counted);
        Assert.Equal(1, one.Value);
        Assert.Equal("self", one.Tags["reporter"]);
        Assert.Equal("revoked", one.Tags["outcome"]);
    }
}
