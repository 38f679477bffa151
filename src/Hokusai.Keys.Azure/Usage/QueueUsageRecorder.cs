using System.Collections.Concurrent;
using Hokusai.Keys.Usage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Azure.Usage;

/// <summary>
/// <see cref="IUsageRecorder"/> over the usage queue. <see cref="Record"/> only appends to a lock-free in-process queue
/// (no I/O, no lock, no wake-up on the request path). One dedicated producer thread, at a lowered OS scheduling priority,
/// takes them every 20 ms into a <see cref="UsageBatchEncoder"/> (filed by key as structs without references) and sends them as
/// few queue messages (each ≤ 64 KiB) when <see cref="MaxEventsPerFlush"/> events are waiting or the oldest has waited
/// the flush interval (≤ 1 s). Encoding and sending on that thread keeps the producer's work off the thread pool that
/// answers requests, and the kernel gives request threads the larger CPU share; the sends still show in the latency
/// tail on a 2-core load test (docs/performance.md). A full buffer drops the event, counts it
/// (<c>hokusai.usage.events_dropped</c>) and logs the count. Stopping the host drains the buffer to the queue.
/// </summary>
internal sealed partial class QueueUsageRecorder : IUsageRecorder, IHostedService, IDisposable
{
    /// <summary>
    /// Large flushes: a send costs the producer (and the queue service) about the same CPU and allocations in the
    /// Storage SDK however many events it carries. At about a byte an event
    /// (<see cref="UsageBatchEncoder"/>), 50,000 events fit one or two messages, so at steady rates a flush is a second's
    /// events in one send.
    /// </summary>
    public const int MaxEventsPerFlush = 50_000;
    private const int MaxSendAttempts = 3;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    private readonly ConcurrentQueue<UsageEvent> _pending = new();
    private readonly UsageBatchEncoder _encoder = new();
    private readonly ManualResetEventSlim _stopping = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly UsageQueues _queues;
    private readonly KeyMetrics _metrics;
    private readonly ILogger<QueueUsageRecorder> _logger;
    private readonly TimeSpan _flushInterval;
    private readonly int _capacity;
    private long _droppedSinceLog;
    private long _buffered;
    private long _sentEvents;
    private int _closed;
    private Thread? _producer;

    public QueueUsageRecorder(UsageQueues queues, IOptions<UsageOptions> options, KeyMetrics metrics, ILogger<QueueUsageRecorder> logger)
    {
        _queues = queues;
        _metrics = metrics;
        _logger = logger;
        _capacity = Math.Max(1, options.Value.BufferCapacity);
        _flushInterval = TimeSpan.FromMilliseconds(Math.Clamp(options.Value.FlushIntervalMilliseconds, 10, 1000));
    }

    /// <summary>Events handed to the queue so far (tests and the benchmark read it).</summary>
    public long SentEvents => Interlocked.Read(ref _sentEvents);

    public void Record(UsageEvent usage)
    {
        // _buffered is raised before _closed is read, and the final drain sets _closed before it reads _buffered: an
        // event either reaches the queue before the drain ends or is counted as dropped, never lost unseen.
        if (Interlocked.Increment(ref _buffered) <= _capacity && Volatile.Read(ref _closed) == 0)
        {
            _pending.Enqueue(usage);
            return;
        }
        Interlocked.Decrement(ref _buffered);
        Interlocked.Increment(ref _droppedSinceLog);
        _metrics.UsageEventsDropped(1);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _producer = new Thread(Run) { IsBackground = true, Name = "hokusai-usage-producer", Priority = ThreadPriority.BelowNormal };
        _producer.Start();
        return Task.CompletedTask;
    }

    /// <summary>No more events are taken; what is buffered is sent before the host goes on stopping.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_producer is null) return;
        _stopping.Set();
        try
        {
            await _stopped.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            var left = Interlocked.Read(ref _buffered);
            _metrics.UsageEventsDropped(left);
            LogShutdownLoss(_logger, left);
        }
    }

    public void Dispose()
    {
        // A producer still draining past a shutdown timeout may yet read the event: then it is left to the GC.
        if (_producer is not { IsAlive: true }) _stopping.Dispose();
    }

    private void Run()
    {
        ThreadScheduling.LowerCurrentThreadPriority();
        try
        {
            var oldestSeen = DateTime.MinValue;
            while (!_stopping.Wait(PollInterval))
            {
                // Polling rather than a wake-up per event: at high rates a signal per event costs the answering
                // instance more than the events themselves.
                try
                {
                    if (_encoder.Count == 0) oldestSeen = DateTime.UtcNow;
                    Take();
                    if (_encoder.Count == 0) continue;
                    // The oldest event may have waited one poll before it was seen.
                    if (_encoder.Count >= MaxEventsPerFlush || DateTime.UtcNow - oldestSeen >= _flushInterval - PollInterval) Send();
                    ReportDrops();
                }
                catch (Exception ex)
                {
                    // A fault here must not end the thread (nothing would be sent again) or the process (an exception
                    // escaping a thread does): the batch in hand is lost, counted and logged.
                    Discard(ex);
                }
            }
            try
            {
                DrainOnStop();
            }
            catch (Exception ex)
            {
                Discard(ex);
                var left = Interlocked.Exchange(ref _buffered, 0);
                _metrics.UsageEventsDropped(left);
                LogShutdownLoss(_logger, left);
            }
            ReportDrops();
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    private void Take()
    {
        var taken = 0;
        while (_encoder.Count < MaxEventsPerFlush && _pending.TryDequeue(out var e))
        {
            taken++;
            try
            {
                _encoder.Add(e);
            }
            catch (Exception ex)
            {
                // An event that cannot be encoded is lost alone, counted and logged; the others go on.
                _metrics.UsageEventsDropped(1);
                LogProducerFault(_logger, 1, ex);
            }
        }
        // One shared-counter update per take, not per event: the request threads write the same counter.
        if (taken > 0) Interlocked.Add(ref _buffered, -taken);
    }

    /// <summary>Closes the buffer, then sends everything that entered it, including events recorded while closing.</summary>
    private void DrainOnStop()
    {
        Interlocked.Exchange(ref _closed, 1);
        var spin = new SpinWait();
        while (Interlocked.Read(ref _buffered) > 0 || _encoder.Count > 0)
        {
            Take();
            if (_encoder.Count >= MaxEventsPerFlush || (_encoder.Count > 0 && _pending.IsEmpty)) Send();
            else if (_encoder.Count == 0) spin.SpinOnce(); // a Record between its count and its enqueue
        }
    }

    private void Send()
    {
        foreach (var message in _encoder.Flush())
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    _queues.EnsureCreatedAsync(CancellationToken.None).GetAwaiter().GetResult();
                    // Synchronous on purpose: this thread is the producer's own, and blocking it keeps the send's
                    // continuations off the thread pool that answers requests.
                    _queues.Usage.SendMessage(message.Payload);
                    Interlocked.Add(ref _sentEvents, message.Count);
                    break;
                }
                catch (Exception ex) when (attempt < MaxSendAttempts)
                {
                    LogSendRetry(_logger, message.Count, ex, attempt);
                    Thread.Sleep(TimeSpan.FromMilliseconds(200 * attempt));
                }
                catch (Exception ex)
                {
                    _metrics.UsageEventsDropped(message.Count);
                    LogSendFailed(_logger, message.Count, ex, attempt);
                    break;
                }
            }
        }
    }

    private void Discard(Exception ex)
    {
        var lost = _encoder.Discard();
        _metrics.UsageEventsDropped(lost);
        LogProducerFault(_logger, lost, ex);
    }

    private void ReportDrops()
    {
        var dropped = Interlocked.Exchange(ref _droppedSinceLog, 0);
        if (dropped > 0) LogDropped(_logger, dropped, _capacity);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage buffer full: {Dropped} usage events dropped (capacity {Capacity})")]
    private static partial void LogDropped(ILogger logger, long dropped, int capacity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending {Count} usage events failed (attempt {Attempt}); retrying")]
    private static partial void LogSendRetry(ILogger logger, int count, Exception exception, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sending {Count} usage events failed after {Attempts} attempts; they are dropped")]
    private static partial void LogSendFailed(ILogger logger, int count, Exception exception, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "The usage producer failed; {Count} usage events dropped")]
    private static partial void LogProducerFault(ILogger logger, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shutdown timed out with {Count} usage events still buffered; they are dropped")]
    private static partial void LogShutdownLoss(ILogger logger, long count);
}
