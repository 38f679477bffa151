using Hokusai.Keys.Cli.Commands;
using Hokusai.Keys.Cli.Output;
using Hokusai.Keys.Client.Models;

namespace Hokusai.Keys.Client.Tests;

/// <summary>The CLI's time formats and usage granularity rule (docs/cli.md, "Output" and "auth usage").</summary>
public sealed class CliOutputFormatTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 14, 5, 9, TimeSpan.Zero);

    [Theory]
    [InlineData(-30, "just now")]
    [InlineData(30, "just now")]
    [InlineData(-3 * 60, "3 min ago")]
    [InlineData(59 * 60 + 59, "in 59 min")]
    [InlineData(-5 * 3600 - 1, "5 h ago")]
    [InlineData(47 * 3600 + 3599, "in 47 h")]
    [InlineData(48 * 3600, "in 2 days")]
    [InlineData(-30 * 86400, "30 days ago")]
    [InlineData(89 * 86400 + 43200, "in 89 days")]
    [InlineData(364 * 86400, "in 364 days")]
    [InlineData(366 * 86400, "2027-12-01")]
    public void Relative_times(int seconds, string expected) =>
        Assert.Equal(expected, RelativeTime.Format(Now.AddSeconds(seconds), Now));

    [Fact]
    public void Absolute_and_tsv_times_are_utc()
    {
        var at = new DateTimeOffset(2026, 11, 30, 15, 5, 9, TimeSpan.FromHours(1));
        Assert.Equal("2026-11-30 14:05Z", RelativeTime.Utc(at));
        Assert.Equal("2026-11-30T14:05:09Z", RelativeTime.Iso(at));
        Assert.Equal("", RelativeTime.Iso(null));
    }

    [Theory]
    [InlineData(1, UsageGranularity.Hour)]
    [InlineData(24, UsageGranularity.Hour)]
    [InlineData(36, UsageGranularity.Hour)]
    [InlineData(37, UsageGranularity.Day)]
    [InlineData(48, UsageGranularity.Day)]
    [InlineData(24 * 7, UsageGranularity.Day)]
    public void Usage_granularity_follows_the_range(int hours, string expected) =>
        Assert.Equal(expected, UsageCommand.GranularityFor(TimeSpan.FromHours(hours)));
}
