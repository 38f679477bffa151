using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Core.Tests;

public class QuotaPolicyTests
{
    [Theory]
    [InlineData("2026-11-30T23:59:59.999Z", "day", "2026-11-30T00:00:00Z", "2026-12-01T00:00:00Z")]
    [InlineData("2026-12-01T00:00:00Z", "day", "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z")]
    [InlineData("2026-12-31T18:00:00-08:00", "day", "2027-01-01T00:00:00Z", "2027-01-02T00:00:00Z")] // UTC, not the caller's zone
    [InlineData("2026-11-30T23:59:59Z", "month", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z")]
    [InlineData("2026-12-15T12:00:00Z", "month", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("2028-02-29T12:00:00Z", "month", "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z")]
    public void Periods_are_UTC_calendar_days_and_months(string at, string period, string start, string end)
    {
        var quota = new QuotaPolicy(100, period);
        var instant = DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture), quota.PeriodStart(instant));
        Assert.Equal(DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture), quota.PeriodEnd(instant));
    }

    [Theory]
    [InlineData("day", true)]
    [InlineData("month", true)]
    [InlineData("week", false)]
    [InlineData("Day", false)]
    [InlineData(null, false)]
    public void Only_day_and_month_are_periods(string? period, bool valid) => Assert.Equal(valid, QuotaPolicy.IsValidPeriod(period));
}
