namespace Hokusai.Keys.Usage;

/// <summary>
/// Hands reported uses to the same pipeline as the platform's own usage events. Every use of one key in a call must
/// reach the aggregates at most once per batch id, however often the call is repeated.
/// </summary>
public interface IUsageReportSink
{
    Task AcceptAsync(string batchId, DateTimeOffset at, IReadOnlyList<ReportedUse> uses, CancellationToken cancellationToken);
}
