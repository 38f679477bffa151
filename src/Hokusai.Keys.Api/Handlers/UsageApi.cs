using System.Globalization;
using Hokusai.Keys.Api.Http;
using Hokusai.Keys.Api.Models;
using Hokusai.Keys.Management;
using Hokusai.Keys.Usage;
using Microsoft.AspNetCore.Http;

namespace Hokusai.Keys.Api.Handlers;

/// <summary><c>GET /api/keys/{id}/usage</c>: hourly or daily usage buckets of one key (owner-scoped like the other key routes).</summary>
public sealed class UsageApi(ManagementAuthenticator auth, KeyManagementService keys, IUsageReader usage, TimeProvider time, ApiErrorBoundary boundary)
{
    public const int MaxBuckets = 1000;

    public Task<ApiResult> GetUsageAsync(HttpRequest request, string id) => boundary.RunAsync(request, async ct =>
    {
        var (caller, problem) = await auth.AuthenticateAsync(request, Access.Read);
        if (problem is not null) return problem;
        await keys.GetAsync(id, caller!, ct); // visibility: another owner's key is 404

        var errors = new Dictionary<string, string[]>();
        var query = request.Query;
        string? granularity = query.TryGetValue("granularity", out var g) ? g[0] : null;
        if (granularity is not (null or "hour" or "day")) errors["granularity"] = ["must be hour or day"];
        var to = ParseInstant(query, "to", errors) ?? time.GetUtcNow();
        var fromGiven = ParseInstant(query, "from", errors);
        if (errors.Count > 0) return Problems.Invalid(errors);

        granularity ??= fromGiven is { } f && to - f > TimeSpan.FromDays(2) ? "day" : "hour";
        var step = granularity == "day" ? TimeSpan.FromDays(1) : TimeSpan.FromHours(1);
        var from = fromGiven ?? to - (granularity == "day" ? TimeSpan.FromDays(7) : TimeSpan.FromHours(24));
        if (from >= to) return Problems.Invalid("from", "must be before to");

        var first = Floor(from, granularity);
        var bucketCount = (long)Math.Ceiling((to - first).Ticks / (double)step.Ticks);
        if (bucketCount > MaxBuckets)
            return Problems.Invalid("to", $"the range holds {bucketCount} {granularity} buckets; at most {MaxBuckets} per call");

        var end = first + step * bucketCount;
        var hours = await usage.GetHoursAsync(id, first, end, ct);
        var buckets = new List<UsageBucketResource>((int)bucketCount);
        var index = 0;
        for (var start = first; start < end; start += step)
        {
            long total = 0, allowed = 0, cost = 0;
            var denied = new SortedDictionary<string, long>(StringComparer.Ordinal);
            for (; index < hours.Count && hours[index].Start < start + step; index++)
            {
                var h = hours[index];
                if (h.Start < start) continue;
                total += h.Total;
                allowed += h.Allowed;
                cost += h.Cost;
                foreach (var (code, count) in h.Denied) denied[code] = denied.GetValueOrDefault(code) + count;
            }
            buckets.Add(new UsageBucketResource(start, total, allowed, denied, cost));
        }
        return ApiResult.Json(StatusCodes.Status200OK, new KeyUsageResponse(id, granularity, buckets));
    });

    private static DateTimeOffset Floor(DateTimeOffset at, string granularity)
    {
        var u = at.UtcDateTime;
        return granularity == "day"
            ? new DateTimeOffset(u.Year, u.Month, u.Day, 0, 0, 0, TimeSpan.Zero)
            : new DateTimeOffset(u.Year, u.Month, u.Day, u.Hour, 0, 0, TimeSpan.Zero);
    }

    private static DateTimeOffset? ParseInstant(IQueryCollection query, string name, Dictionary<string, string[]> errors)
    {
        if (!query.TryGetValue(name, out var values) || string.IsNullOrEmpty(values[0])) return null;
        if (DateTimeOffset.TryParse(values[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            && parsed.Year is >= 2000 and <= 9000)
            return parsed.ToUniversalTime();
        errors[name] = ["must be an ISO 8601 instant, e.g. 2026-01-31T00:00:00Z"];
        return null;
    }

}
