namespace Hokusai.Keys.Usage;

/// <summary>
/// Told when a key's quota usage crosses 80 % or 100 % in a period, by <see cref="QuotaThresholdQueue"/>'s one consumer (off the request path);
/// implementations record a <c>key.quota_threshold</c> lifecycle event at most once per (quota, period, percent).
/// </summary>
public interface IQuotaThresholdSink
{
    ValueTask QuotaThresholdCrossedAsync(QuotaThreshold threshold, CancellationToken cancellationToken);
}
