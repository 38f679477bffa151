namespace Hokusai.Keys.Usage;

/// <param name="KeyId">The key whose request crossed the threshold.</param>
/// <param name="PeriodStart">UTC start of the quota period (day or month).</param>
/// <param name="Percent">80 or 100.</param>
public sealed record QuotaThreshold(string KeyId, string Owner, DateTimeOffset PeriodStart, string Period, int Percent, long Used, long Limit);
