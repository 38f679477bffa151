namespace Hokusai.Keys.Domain;

/// <summary>At most <see cref="Limit"/> cost units per UTC calendar <see cref="Period"/> (<c>day</c> or <c>month</c>).</summary>
public sealed record QuotaPolicy(long Limit, string Period)
{
    public const string Day = "day";
    public const string Month = "month";

    public static bool IsValidPeriod(string? period) => period is Day or Month;

    /// <summary>UTC start of the period that contains <paramref name="at"/>.</summary>
    public DateTimeOffset PeriodStart(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return Period == Month
            ? new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero)
            : new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero);
    }

    public DateTimeOffset PeriodEnd(DateTimeOffset at) => Period == Month ? PeriodStart(at).AddMonths(1) : PeriodStart(at).AddDays(1);
}
