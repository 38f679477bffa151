using Hokusai.Keys.Cli;
using Hokusai.Keys.Client.Models;

namespace Hokusai.Keys.Client.Tests;

public sealed class CliParserTests
{
    [Theory]
    [InlineData("10000", 10000, 60)]
    [InlineData("100/s", 100, 1)]
    [InlineData("600/m", 600, 60)]
    [InlineData("10000/h", 10000, 3600)]
    [InlineData("5/day", 5, 86400)]
    public void Rate_limits(string text, int limit, int window) => Assert.Equal(new ApiKeyRateLimit(limit, window), CliParsers.RateLimit(text));

    [Theory]
    [InlineData("1000000/month", 1000000, "month")]
    [InlineData("5000/day", 5000, "day")]
    public void Quotas(string text, long limit, string period) => Assert.Equal(new ApiKeyQuota(limit, period), CliParsers.Quota(text));

    [Theory]
    [InlineData("90d", 90 * 86400)]
    [InlineData("24h", 86400)]
    [InlineData("30m", 1800)]
    [InlineData("2w", 14 * 86400)]
    [InlineData("45", 45)]
    public void Durations(string text, long seconds) => Assert.Equal(TimeSpan.FromSeconds(seconds), CliParsers.Duration(text, "--x"));

    [Theory]
    [InlineData("0")]
    [InlineData("-5/s")]
    [InlineData("abc")]
    [InlineData("10/fortnight")]
    public void Bad_rate_limits_are_usage_errors(string text) =>
        Assert.Equal(ExitCodes.Usage, Assert.Throws<CliException>(() => CliParsers.RateLimit(text)).ExitCode);

    [Fact]
    public void Metadata_pairs() =>
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "x=y" }, CliParsers.Metadata(["a=1", "b=x=y"]));
}
