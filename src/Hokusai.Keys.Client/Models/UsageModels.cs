namespace Hokusai.Keys.Client;

/// <summary>Granularity of a usage report.</summary>
public static class UsageGranularity
{
    public const string Hour = "hour";
    public const string Day = "day";
}

/// <summary>The answer of <c>GET /api/keys/{id}/usage</c>.</summary>
public sealed class UsageReport
{
    public string KeyId { get; init; } = "";
    public string Granularity { get; init; } = "";
    public IReadOnlyList<UsageBucket> Buckets { get; init; } = [];
}

/// <summary>Verifications in one hour or day starting at <see cref="Start"/>: allowed, denied by code, and their cost.</summary>
public sealed class UsageBucket
{
    public DateTimeOffset Start { get; init; }
    public long Total { get; init; }
    public long Allowed { get; init; }
    public IReadOnlyDictionary<string, long> Denied { get; init; } = new Dictionary<string, long>();
    public double Cost { get; init; }
}
