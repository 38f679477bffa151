namespace Hokusai.Keys.Usage;

/// <summary>
/// Takes usage events off the request path. <see cref="Record"/> must never block or do I/O: implementations buffer
/// in process and ship in batches; a full buffer drops the event and counts the loss.
/// </summary>
public interface IUsageRecorder
{
    void Record(UsageEvent usage);
}
