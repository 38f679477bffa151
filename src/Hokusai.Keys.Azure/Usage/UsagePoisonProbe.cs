using Azure;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Azure.Usage;

/// <summary>
/// Reads the approximate length of the usage poison queue for the gauge <see cref="KeyMetrics.UsagePoisonMessagesName"/>.
/// Called by a timer (never from the gauge's callback, which must not do I/O); a failed read leaves the last value.
/// </summary>
internal sealed partial class UsagePoisonProbe
{
    private readonly UsageQueues _queues;
    private readonly ILogger<UsagePoisonProbe> _logger;
    private long _messages = -1;

    public UsagePoisonProbe(UsageQueues queues, KeyMetrics metrics, ILogger<UsagePoisonProbe> logger)
    {
        _queues = queues;
        _logger = logger;
        metrics.ObserveUsagePoisonMessages(() => Messages);
    }

    /// <summary>Messages in the poison queue at the last successful read; null before it.</summary>
    public long? Messages => Interlocked.Read(ref _messages) is var count and >= 0 ? count : null;

    public async Task MeasureAsync(CancellationToken cancellationToken)
    {
        try
        {
            var properties = await _queues.Poison.GetPropertiesAsync(cancellationToken);
            Interlocked.Exchange(ref _messages, properties.Value.ApproximateMessagesCount);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            Interlocked.Exchange(ref _messages, 0); // no poison queue yet: nothing has failed
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(_logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the length of the usage poison queue; the gauge keeps its last value")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
