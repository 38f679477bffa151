namespace Hokusai.Keys.Api.Models;

/// <summary>Verifications starting in [start, start + 1 hour/day): total, allowed (VALID), denied per code, summed cost,
/// and distinctAddresses: the distinct client addresses of the hour (of a day bucket: of its busiest hour).</summary>
public sealed record UsageBucketResource(DateTimeOffset Start, long Total, long Allowed, IReadOnlyDictionary<string, long> Denied, long Cost, long DistinctAddresses);
