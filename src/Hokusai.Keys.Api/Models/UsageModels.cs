namespace Hokusai.Keys.Api.Models;

/// <summary>The answer of <c>GET /api/keys/{id}/usage</c>: one bucket per hour or day, empty ones included.</summary>
public sealed record KeyUsageResponse(string KeyId, string Granularity, IReadOnlyList<UsageBucketResource> Buckets);

/// <summary>Verifications starting in [start, start + 1 hour/day): total, allowed (VALID), denied per code, summed cost.</summary>
public sealed record UsageBucketResource(DateTimeOffset Start, long Total, long Allowed, IReadOnlyDictionary<string, long> Denied, long Cost);
