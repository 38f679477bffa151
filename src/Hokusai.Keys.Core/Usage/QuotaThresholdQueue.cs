using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Usage;

/// <summary>
/// Takes quota thresholds off the request path: <see cref="Post"/> never blocks and does no I/O; one consumer hands
/// them to the <see cref="IQuotaThresholdSink"/> in order. The queue is bounded: a threshold posted while it is full,
/// or after shutdown began, is dropped, counted (<c>hokusai.quota.thresholds_dropped</c>) and logged — never waited
/// for. Disposing delivers what was posted, for at most <see cref="DrainTimeout"/>; what is left then is counted and logged too.
/// </summary>
public sealed partial class QuotaThresholdQueue : IAsyncDisposable, IDisposable
{
    /// <summary>Thresholds are reported once per (quota, period, percent) per instance, so a few hundred waiting means the sink is stuck.</summary>
    public const int Capacity = 1_000;

    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly IQuotaThresholdSink _sink;
    private readonly KeyMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeSpan _drainTimeout;
    private readonly Channel<QuotaThreshold> _pending;
    private readonly CancellationTokenSource _abandon = new();
    private readonly Task _consumer;
    private int _disposed;

    public QuotaThresholdQueue(IQuotaThresholdSink sink, KeyMetrics metrics, ILogger<QuotaThresholdQueue> logger)
        : this(sink, metrics, logger, Capacity, DrainTimeout)
    {
    }

    internal QuotaThresholdQueue(IQuotaThresholdSink sink, KeyMetrics metrics, ILogger logger, int capacity, TimeSpan drainTimeout)
    {
        _sink = sink;
        _metrics = metrics;
        _logger = logger;
        _drainTimeout = drainTimeout;
        // Wait mode: TryWrite answers false when full (DropWrite would answer true and lose the item unseen).
        _pending = Channel.CreateBounded<QuotaThreshold>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _consumer = Task.Run(DeliverAllAsync);
    }

    /// <summary>Queues <paramref name="threshold"/> for the sink; when the queue is full or shut, drops it, counted and logged.</summary>
    public void Post(QuotaThreshold threshold)
    {
        if (_pending.Writer.TryWrite(threshold)) return;
        _metrics.QuotaThresholdsDropped(1);
        LogDropped(_logger, threshold.KeyId, threshold.Percent);
    }

    private async Task DeliverAllAsync()
    {
        try
        {
            while (await _pending.Reader.WaitToReadAsync(_abandon.Token))
                while (!_abandon.IsCancellationRequested && _pending.Reader.TryRead(out var threshold))
                    await DeliverAsync(threshold);
        }
        catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
        {
        }
        var left = 0;
        while (_pending.Reader.TryRead(out _)) left++;
        if (left > 0) Abandoned(left);
    }

    private async Task DeliverAsync(QuotaThreshold threshold)
    {
        try
        {
            await _sink.QuotaThresholdCrossedAsync(threshold, _abandon.Token);
        }
        catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
        {
            Abandoned(1);
        }
        catch (Exception ex)
        {
            LogFailed(_logger, threshold.KeyId, threshold.Percent, ex);
        }
    }

    private void Abandoned(int count)
    {
        _metrics.QuotaThresholdsDropped(count);
        LogAbandoned(_logger, count);
    }

    /// <summary>Stops taking thresholds and delivers those already posted, within the drain timeout.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _pending.Writer.TryComplete();
        if (!await FinishesWithinDrainTimeoutAsync())
        {
            await _abandon.CancelAsync();
            // A sink that ignores cancellation is left behind (with its token) rather than holding up shutdown.
            if (!await FinishesWithinDrainTimeoutAsync()) return;
        }
        _abandon.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task<bool> FinishesWithinDrainTimeoutAsync()
    {
        try
        {
            await _consumer.WaitAsync(_drainTimeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped the {Percent} % quota threshold of key {KeyId}: the threshold queue is full or shutting down")]
    private static partial void LogDropped(ILogger logger, string keyId, int percent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped {Count} quota thresholds not recorded when shutdown's drain timeout ran out")]
    private static partial void LogAbandoned(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the {Percent} % quota threshold of key {KeyId}")]
    private static partial void LogFailed(ILogger logger, string keyId, int percent, Exception exception);
}
