namespace Hokusai.Keys.Usage;

/// <summary>A key's quota use crossed a threshold: the event that tells its owner.</summary>
/// <param name="KeyId">The key whose request crossed the threshold.</param>
/// <param name="Owner">The key's owner.</param>
/// <param name="PeriodStart">UTC start of the quota period (day or month).</param>
/// <param name="Period">The quota's period: <c>day</c> or <c>month</c>.</param>
/// <param name="Percent">80 or 100.</param>
/// <param name="Used">Cost units used in the period, this request included.</param>
/// <param name="Limit">The quota's limit.</param>
public sealed record QuotaThreshold(string KeyId, string Owner, DateTimeOffset PeriodStart, string Period, int Percent, long Used, long Limit);
