namespace Hokusai.Keys.Usage;

/// <summary>Ignores thresholds (where no lifecycle pipeline is configured).</summary>
public sealed class NullQuotaThresholdSink : IQuotaThresholdSink
{
    public ValueTask QuotaThresholdCrossedAsync(QuotaThreshold threshold, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
