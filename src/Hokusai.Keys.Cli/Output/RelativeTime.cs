using System.Globalization;

namespace Hokusai.Keys.Cli.Output;

/// <summary>How tables show instants: relative to now ("3 min ago", "in 89 days"), or absolute UTC with <c>--utc</c>.</summary>
internal static class RelativeTime
{
    /// <summary>"just now", "N min ago", "N h ago" (under 48 h), "N days ago" (under a year), else the date; "in …" for the future.</summary>
    public static string Format(DateTimeOffset at, DateTimeOffset now)
    {
        var span = at - now;
        var magnitude = span.Duration();
        if (magnitude < TimeSpan.FromMinutes(1)) return "just now";
        if (magnitude >= TimeSpan.FromDays(365)) return at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var amount = magnitude < TimeSpan.FromHours(1) ? $"{(int)magnitude.TotalMinutes} min"
            : magnitude < TimeSpan.FromHours(48) ? $"{(int)magnitude.TotalHours} h"
            : $"{(int)magnitude.TotalDays} days";
        return span < TimeSpan.Zero ? amount + " ago" : "in " + amount;
    }

    /// <summary>Minute precision with the zone: <c>2026-11-30 14:05Z</c>.</summary>
    public static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);

    /// <summary>The TSV form: ISO 8601 UTC to the second, <c>2026-11-30T14:05:09Z</c>; empty when absent.</summary>
    public static string Iso(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "";
}
