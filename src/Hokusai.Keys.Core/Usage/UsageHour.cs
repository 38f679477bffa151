namespace Hokusai.Keys.Usage;

/// <summary>One hour of a key's verifications, as aggregated by the usage pipeline.</summary>
/// <param name="Start">UTC start of the hour.</param>
/// <param name="Denied">Count per refusal code (every code but VALID).</param>
public sealed record UsageHour(DateTimeOffset Start, long Total, long Allowed, IReadOnlyDictionary<string, long> Denied, long Cost);
