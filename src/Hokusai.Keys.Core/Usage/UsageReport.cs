namespace Hokusai.Keys.Usage;

/// <summary>One key's usage: a bucket per hour or day (<see cref="Granularity"/>), oldest first, empty ones included.</summary>
public sealed record UsageReport(string KeyId, string Granularity, IReadOnlyList<UsageBucket> Buckets);
