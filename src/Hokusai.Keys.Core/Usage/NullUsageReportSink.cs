namespace Hokusai.Keys.Usage;

/// <summary>Usage recording is off (as for the platform's own validations): reports are accepted and not kept.</summary>
public sealed class NullUsageReportSink : IUsageReportSink
{
    public Task AcceptAsync(string batchId, DateTimeOffset at, IReadOnlyList<ReportedUse> uses, CancellationToken cancellationToken) => Task.CompletedTask;
}
