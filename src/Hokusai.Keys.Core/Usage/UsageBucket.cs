namespace Hokusai.Keys.Usage;

/// <summary>Verifications starting in [start, start + 1 hour/day): total, allowed (VALID), denied per code, summed cost,
/// and the distinct client addresses of its busiest hour (distinct counts of hours do not add up).</summary>
public sealed record UsageBucket(DateTimeOffset Start, long Total, long Allowed, IReadOnlyDictionary<string, long> Denied, long Cost, long DistinctAddresses);
