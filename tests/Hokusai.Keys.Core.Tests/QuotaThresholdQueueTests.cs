using Hokusai.Keys.Usage;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Core.Tests;

/// <summary>
/// <see cref="QuotaThresholdQueue"/>: thresholds leave the request path through one owned, bounded queue; nothing is
/// lost without being counted and logged, and shutdown delivers what was posted.
/// </summary>
public sealed class QuotaThresholdQueueTests : IDisposable
{
    private const string Dropped = "hokusai.quota.thresholds_dropped";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly TestMeters _meters = new();
    private readonly ListLogger<QuotaThresholdQueue> _logger = new();

    private QuotaThresholdQueue Queue(IQuotaThresholdSink sink, int capacity = QuotaThresholdQueue.Capacity, TimeSpan? drainTimeout = null) =>
        new(sink, new KeyMetrics(_meters), _logger, capacity, drainTimeout ?? Patience);

    private static QuotaThreshold Threshold(int i, int percent = 80) =>
        new("key" + i, "alice", new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), "month", percent, i, 100);

    public void Dispose() => _meters.Dispose();

    [Fact]
    public async Task Posted_thresholds_reach_the_sink_in_order()
    {
        var sink = new RecordingThresholdSink();
        var queue = Queue(sink);
        for (var i = 0; i < 5; i++) queue.Post(Threshold(i));
        await queue.DisposeAsync();

        Assert.Equal(["key0", "key1", "key2", "key3", "key4"], sink.Received.Select(t => t.KeyId));
        Assert.Equal(0, _meters.Sum(Dropped));
    }

    [Fact]
    public async Task A_full_queue_drops_at_once_and_counts_and_logs_the_loss()
    {
        var sink = new RecordingThresholdSink { Hold = true };
        var queue = Queue(sink, capacity: 2);
        queue.Post(Threshold(0));
        Assert.True(await sink.Entered.WaitAsync(Patience)); // taken by the consumer, which now waits in the sink
        queue.Post(Threshold(1));
        queue.Post(Threshold(2)); // the queue is full
        queue.Post(Threshold(3, percent: 100)); // returns at once: dropped

        Assert.Equal(1, _meters.Sum(Dropped));
        var warning = Assert.Single(_logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("key3", warning.Message, StringComparison.Ordinal);
        Assert.Contains("100", warning.Message, StringComparison.Ordinal);

        sink.Release();
        await queue.DisposeAsync();
        Assert.Equal(["key0", "key1", "key2"], sink.Received.Select(t => t.KeyId));
    }

    [Fact]
    public async Task Disposing_delivers_what_was_posted_before_it_returns()
    {
        var sink = new RecordingThresholdSink { Hold = true };
        var queue = Queue(sink);
        for (var i = 0; i < 4; i++) queue.Post(Threshold(i));
        Assert.True(await sink.Entered.WaitAsync(Patience));

        var disposing = queue.DisposeAsync().AsTask();
        Assert.False(disposing.IsCompleted); // waits for the sink
        sink.Release();
        await disposing;

        Assert.Equal(4, sink.Received.Count);
        Assert.Equal(0, _meters.Sum(Dropped));
    }

    [Fact]
    public async Task A_threshold_posted_after_disposal_is_counted_and_logged()
    {
        var sink = new RecordingThresholdSink();
        var queue = Queue(sink);
        await queue.DisposeAsync();
        queue.Post(Threshold(0));

        Assert.Empty(sink.Received);
        Assert.Equal(1, _meters.Sum(Dropped));
        Assert.Single(_logger.Entries, e => e.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task A_failing_sink_is_logged_with_its_exception_and_the_next_threshold_still_delivered()
    {
        var sink = new RecordingThresholdSink { Failure = new InvalidOperationException("table down") };
        var queue = Queue(sink);
        queue.Post(Threshold(0));
        queue.Post(Threshold(1));
        await queue.DisposeAsync();

        Assert.Equal(2, sink.Received.Count);
        Assert.Equal(2, _logger.Entries.Count(e => e.Level == LogLevel.Warning && e.Exception is InvalidOperationException));
    }

    [Fact]
    public async Task A_sink_that_never_finishes_is_abandoned_at_the_drain_timeout_and_what_it_held_up_is_counted()
    {
        var sink = new RecordingThresholdSink { Hold = true }; // never released: only cancellation ends a call
        var queue = Queue(sink, drainTimeout: TimeSpan.FromMilliseconds(50));
        for (var i = 0; i < 3; i++) queue.Post(Threshold(i));
        Assert.True(await sink.Entered.WaitAsync(Patience));

        await queue.DisposeAsync();

        Assert.Empty(sink.Received);
        Assert.Equal(3, _meters.Sum(Dropped)); // the one in the sink and the two behind it
        Assert.Equal(2, _logger.Entries.Count(e => e.Level == LogLevel.Warning));
    }
}
