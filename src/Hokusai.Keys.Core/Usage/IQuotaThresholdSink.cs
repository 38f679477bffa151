namespace Hokusai.Keys.Usage;

/// <summary>
/// Told when a key's quota usage crosses 80 % or 100 % in a period, by <see cref="QuotaThresholdQueue"/>'s one consumer (off the request path);
/// implementations record a <c>key.quota_threshold</c> lifecycle event at most once per (quota, period, percent).
/// </summary>
public interface IQuotaThresholdSink
{
    ValueTask QuotaThresholdCrossedAsync(QuotaThreshold threshold, CancellationToken cancellationToken);
}

/// <param name="KeyId">The key whose request crossed the threshold.</param>
/// <param name="PeriodStart">UTC start of the quota period (day or month).</param>
/// <param name="Percent">80 or 100.</param>
public sealed record QuotaThreshold(string KeyId, string Owner, DateTimeOffset PeriodStart, string Period, int Percent, long Used, long Limit);

/// <summary>Ignores thresholds (where no lifecycle pipeline is configured).</summary>
public sealed class NullQuotaThresholdSink : IQuotaThresholdSink
{
    public ValueTask QuotaThresholdCrossedAsync(QuotaThreshold threshold, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
