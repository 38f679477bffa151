namespace Hokusai.Keys.Usage;

/// <summary>One hour of a key's verifications, as aggregated by the usage pipeline.</summary>
/// <param name="Start">UTC start of the hour.</param>
/// <param name="Total">Verifications in the hour.</param>
/// <param name="Allowed">Those answered VALID.</param>
/// <param name="Denied">Count per refusal code (every code but VALID).</param>
/// <param name="Cost">Cost units of the allowed ones.</param>
/// <param name="DistinctAddresses">Distinct client addresses in the hour (exact up to the ingestion's cap, then the cap).</param>
public sealed record UsageHour(DateTimeOffset Start, long Total, long Allowed, IReadOnlyDictionary<string, long> Denied, long Cost, long DistinctAddresses = 0)
{
    /// <summary>Distinct addresses are counted exactly up to this many per key-hour; the count then stays here ("at least").</summary>
    public const int MaxDistinctAddresses = 1024;
}
