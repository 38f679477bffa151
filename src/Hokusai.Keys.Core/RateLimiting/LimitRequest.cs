using Hokusai.Keys.Domain;

namespace Hokusai.Keys.RateLimiting;

/// <summary>
/// One request's claim on a key's rate limit and quota. <see cref="LimitsId"/> names the counters: the first key of a
/// rotation chain, so rotating a key starts neither a fresh bucket nor a fresh quota.
/// </summary>
public readonly record struct LimitRequest(string LimitsId, RateLimitPolicy? Rate, QuotaPolicy? Quota, int Cost);
