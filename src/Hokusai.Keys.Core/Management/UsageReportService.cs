using System.Globalization;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Usage;

namespace Hokusai.Keys.Management;

/// <summary>Usage reports of one key, for a caller that may see the key: the hourly aggregates summed into hour or day buckets.</summary>
public sealed class UsageReportService(KeyManagementService keys, IUsageReader usage, TimeProvider time)
{
    public const int MaxBuckets = 1000;
    public const string Hour = "hour";
    public const string Day = "day";

    /// <summary>
    /// <paramref name="from"/> and <paramref name="to"/> are ISO 8601 instants (UTC when they name no offset). Defaults:
    /// <c>to</c> now; <c>from</c> 24 hours (hour) or 7 days (day) before it; granularity day for more than two days.
    /// </summary>
    public async Task<UsageReport> GetAsync(string keyId, string? from, string? to, string? granularity, Caller caller, CancellationToken cancellationToken)
    {
        await keys.GetAsync(keyId, caller, cancellationToken); // another owner's key is "not found" before anything else

        var errors = new KeyRules.Errors();
        if (granularity is not (null or Hour or Day)) errors.Add("granularity", "must be hour or day");
        var end = ParseInstant(to, "to", errors) ?? time.GetUtcNow();
        var start = ParseInstant(from, "from", errors);
        errors.ThrowIfAny();

        granularity ??= start is { } s && end - s > TimeSpan.FromDays(2) ? Day : Hour;
        var step = granularity == Day ? TimeSpan.FromDays(1) : TimeSpan.FromHours(1);
        start ??= end - (granularity == Day ? TimeSpan.FromDays(7) : TimeSpan.FromHours(24));
        if (start >= end) Invalid("from", "must be before to");

        var first = Floor(start.Value, granularity);
        var bucketCount = (long)Math.Ceiling((end - first).Ticks / (double)step.Ticks);
        if (bucketCount > MaxBuckets) Invalid("to", $"the range holds {bucketCount} {granularity} buckets; at most {MaxBuckets} per call");

        var last = first + step * bucketCount;
        var hours = await usage.GetHoursAsync(keyId, first, last, cancellationToken);
        var buckets = new List<UsageBucket>((int)bucketCount);
        var index = 0;
        for (var bucket = first; bucket < last; bucket += step)
        {
            long total = 0, allowed = 0, cost = 0, addresses = 0;
            var denied = new SortedDictionary<string, long>(StringComparer.Ordinal);
            for (; index < hours.Count && hours[index].Start < bucket + step; index++)
            {
                var h = hours[index];
                if (h.Start < bucket) continue;
                total += h.Total;
                allowed += h.Allowed;
                cost += h.Cost;
                addresses = Math.Max(addresses, h.DistinctAddresses);
                foreach (var (code, count) in h.Denied) denied[code] = denied.GetValueOrDefault(code) + count;
            }
            buckets.Add(new UsageBucket(bucket, total, allowed, denied, cost, addresses));
        }
        return new UsageReport(keyId, granularity, buckets);
    }

    private static DateTimeOffset Floor(DateTimeOffset at, string granularity)
    {
        var u = at.UtcDateTime;
        return granularity == Day
            ? new DateTimeOffset(u.Year, u.Month, u.Day, 0, 0, 0, TimeSpan.Zero)
            : new DateTimeOffset(u.Year, u.Month, u.Day, u.Hour, 0, 0, TimeSpan.Zero);
    }

    private static DateTimeOffset? ParseInstant(string? text, string field, KeyRules.Errors errors)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            && parsed.Year is >= 2000 and <= 9000)
            return parsed.ToUniversalTime();
        errors.Add(field, "must be an ISO 8601 instant, e.g. 2026-01-31T00:00:00Z");
        return null;
    }

    private static void Invalid(string field, string message)
    {
        var errors = new KeyRules.Errors();
        errors.Add(field, message);
        errors.ThrowIfAny();
    }
}
