using System.Globalization;
using Hokusai.Keys.Api.Models;
using Hokusai.Keys.RateLimiting;

namespace Hokusai.Keys.Api.Http;

/// <summary>
/// IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers): <c>RateLimit-Policy: "rate";q=100;w=60</c> and
/// <c>RateLimit: "rate";r=42;t=10</c>, plus a <c>"quota"</c> item for keys with a quota, and Retry-After on refusals.
/// </summary>
public static class RateLimitHeaders
{
    public static ApiResult Apply(ApiResult result, LimitDecision? decision)
    {
        if (decision is null) return result;
        var policies = new List<string>(2);
        var states = new List<string>(2);
        Add("rate", decision.Rate, policies, states);
        Add("quota", decision.Quota, policies, states);
        if (policies.Count > 0)
        {
            result.WithHeader("RateLimit-Policy", string.Join(", ", policies));
            result.WithHeader("RateLimit", string.Join(", ", states));
        }
        if (decision.Outcome is LimitOutcome.RateLimited or LimitOutcome.QuotaExceeded or LimitOutcome.Unavailable)
            result.WithHeader("Retry-After", RetryAfter(decision).ToString(CultureInfo.InvariantCulture));
        return result;
    }

    public static int RetryAfter(LimitDecision decision) => Math.Max(1, (int)Math.Ceiling(decision.RetryAfterSeconds));

    public static LimitView? View(LimitState? state) =>
        state is { } s ? new LimitView(s.Limit, s.Remaining, Seconds(s.ResetSeconds)) : null;

    private static void Add(string name, LimitState? state, List<string> policies, List<string> states)
    {
        if (state is not { } s) return;
        policies.Add(string.Create(CultureInfo.InvariantCulture, $"\"{name}\";q={s.Limit};w={s.WindowSeconds}"));
        states.Add(string.Create(CultureInfo.InvariantCulture, $"\"{name}\";r={s.Remaining};t={Seconds(s.ResetSeconds)}"));
    }

    private static int Seconds(double seconds) => Math.Max(0, (int)Math.Ceiling(seconds));
}
