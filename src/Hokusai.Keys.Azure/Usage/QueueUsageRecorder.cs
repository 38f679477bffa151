using System.Threading.Channels;
using Hokusai.Keys.Usage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Azure.Usage;

/// <summary>
/// <see cref="IUsageRecorder"/> over the usage queue. <see cref="Record"/> only writes to a bounded in-process channel
/// (no I/O on the request path); one loop sends what accumulated as few queue messages (each ≤ 64 KiB), when
/// <see cref="MaxEventsPerFlush"/> events are waiting or the oldest has waited the flush interval (≤ 1 s).
/// A full buffer drops the event, counts it (<c>hokusai.usage.events_dropped</c>) and logs the count. Stopping the
/// host drains the buffer to the queue.
/// </summary>
internal sealed partial class QueueUsageRecorder : IUsageRecorder, IHostedService
{
    public const int MaxEventsPerFlush = 2000;
    private const int MaxSendAttempts = 3;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private readonly Channel<UsageEvent> _channel;
    private readonly UsageQueues _queues;
    private readonly KeyMetrics _metrics;
    private readonly ILogger<QueueUsageRecorder> _logger;
    private readonly TimeSpan _flushInterval;
    private readonly int _capacity;
    private long _droppedSinceLog;
    private long _buffered;
    private long _sentEvents;
    private Task? _loop;

    public QueueUsageRecorder(UsageQueues queues, IOptions<UsageOptions> options, KeyMetrics metrics, ILogger<QueueUsageRecorder> logger)
    {
        _queues = queues;
        _metrics = metrics;
        _logger = logger;
        _capacity = Math.Max(1, options.Value.BufferCapacity);
        _flushInterval = TimeSpan.FromMilliseconds(Math.Clamp(options.Value.FlushIntervalMilliseconds, 10, 1000));
        // Unbounded channel (lock-free writes from many request threads) with our own bound on what it holds.
        _channel = Channel.CreateUnbounded<UsageEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
    }

    /// <summary>Events handed to the queue so far (tests and the benchmark read it).</summary>
    public long SentEvents => Interlocked.Read(ref _sentEvents);

    public void Record(UsageEvent usage)
    {
        if (Interlocked.Increment(ref _buffered) <= _capacity && _channel.Writer.TryWrite(usage)) return;
        Interlocked.Decrement(ref _buffered);
        Interlocked.Increment(ref _droppedSinceLog);
        _metrics.UsageEventsDropped(1);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>No more events are taken; what is buffered is sent before the host goes on stopping.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _channel.Writer.TryComplete();
        if (_loop is null) return;
        try
        {
            await _loop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            var left = _channel.Reader.Count;
            _metrics.UsageEventsDropped(left);
            LogShutdownLoss(_logger, left);
        }
    }

    private async Task RunAsync()
    {
        var reader = _channel.Reader;
        var batch = new List<UsageEvent>(MaxEventsPerFlush);
        while (await reader.WaitToReadAsync())
        {
            var deadline = DateTime.UtcNow + _flushInterval;
            while (batch.Count < MaxEventsPerFlush)
            {
                if (reader.TryRead(out var e))
                {
                    Interlocked.Decrement(ref _buffered);
                    batch.Add(e);
                    continue;
                }
                var remaining = deadline - DateTime.UtcNow;
                if (remaining <= TimeSpan.Zero || reader.Completion.IsCompleted) break;
                // Poll rather than wake on every event: at high rates a wake-up per event (and a timer per wait)
                // costs the answering instance more than the events themselves.
                await Task.Delay(remaining < PollInterval ? remaining : PollInterval);
            }
            await SendAsync(batch);
            batch.Clear();
            var dropped = Interlocked.Exchange(ref _droppedSinceLog, 0);
            if (dropped > 0) LogDropped(_logger, dropped, _capacity);
        }
        var late = Interlocked.Exchange(ref _droppedSinceLog, 0);
        if (late > 0) LogDropped(_logger, late, _capacity);
    }

    private async Task SendAsync(List<UsageEvent> batch)
    {
        if (batch.Count == 0) return;
        var messages = UsageMessage.Pack(batch);
        await Task.WhenAll(messages.Select(async m =>
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await _queues.EnsureCreatedAsync(CancellationToken.None);
                    await _queues.Usage.SendMessageAsync(m.Payload);
                    Interlocked.Add(ref _sentEvents, m.Count);
                    return;
                }
                catch (Exception ex) when (attempt < MaxSendAttempts)
                {
                    LogSendRetry(_logger, m.Count, ex.GetType().Name, attempt);
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
                }
                catch (Exception ex)
                {
                    _metrics.UsageEventsDropped(m.Count);
                    LogSendFailed(_logger, m.Count, ex.GetType().Name, attempt);
                    return;
                }
            }
        }));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage buffer full: {Dropped} usage events dropped (capacity {Capacity})")]
    private static partial void LogDropped(ILogger logger, long dropped, int capacity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending {Count} usage events failed ({ExceptionType}, attempt {Attempt}); retrying")]
    private static partial void LogSendRetry(ILogger logger, int count, string exceptionType, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sending {Count} usage events failed ({ExceptionType}) after {Attempts} attempts; they are dropped")]
    private static partial void LogSendFailed(ILogger logger, int count, string exceptionType, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shutdown timed out with {Count} usage events still buffered; they are dropped")]
    private static partial void LogShutdownLoss(ILogger logger, int count);
}
