namespace Hokusai.Keys.Usage;

/// <summary>One verify/authorize answer (any code but MALFORMED), as recorded for usage aggregates. Holds no secret.</summary>
public sealed record UsageEvent(
    string EventId,
    string KeyId,
    string Owner,
    DateTimeOffset Timestamp,
    string Code,
    string? ClientIp,
    int Cost);

/// <summary>
/// Takes usage events off the request path. <see cref="Record"/> must never block or do I/O: implementations buffer
/// in process and ship in batches; a full buffer drops the event and counts the loss.
/// </summary>
public interface IUsageRecorder
{
    void Record(UsageEvent usage);
}

/// <summary>Records nothing (used where no usage pipeline is configured).</summary>
public sealed class NullUsageRecorder : IUsageRecorder
{
    public void Record(UsageEvent usage)
    {
    }
}
