namespace Hokusai.Keys.Client.Models;

/// <summary>The answer of <c>GET /api/keys/{id}/usage</c>.</summary>
public sealed class ApiKeyUsage
{
    /// <summary>The key the report is about.</summary>
    public string KeyId { get; init; } = "";
    /// <summary>The length of each bucket: <see cref="UsageGranularity.Hour"/> or <see cref="UsageGranularity.Day"/>.</summary>
    public string Granularity { get; init; } = "";
    /// <summary>One bucket per hour or day, oldest first, empty ones included.</summary>
    public IReadOnlyList<ApiKeyUsageBucket> Buckets { get; init; } = [];
}
