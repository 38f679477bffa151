namespace Hokusai.Keys.Api.Models;

/// <summary>The answer of <c>GET /api/keys/{id}/usage</c>: one bucket per hour or day, empty ones included.</summary>
public sealed record KeyUsageResponse(string KeyId, string Granularity, IReadOnlyList<UsageBucketResource> Buckets);
