namespace Hokusai.Keys.Client.Models;

/// <summary>A usage quota: at most <see cref="Limit"/> successful verifications per <see cref="Period"/> (<c>day</c> or <c>month</c>).</summary>
/// <param name="Limit">Cost units per period.</param>
/// <param name="Period"><c>day</c> or <c>month</c> (UTC calendar periods).</param>
public sealed record ApiKeyQuota(long Limit, string Period);
