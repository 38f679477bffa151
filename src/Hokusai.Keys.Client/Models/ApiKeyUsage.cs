namespace Hokusai.Keys.Client.Models;

/// <summary>The answer of <c>GET /api/keys/{id}/usage</c>.</summary>
public sealed class ApiKeyUsage
{
    public string KeyId { get; init; } = "";
    public string Granularity { get; init; } = "";
    public IReadOnlyList<ApiKeyUsageBucket> Buckets { get; init; } = [];
}
