using System.Collections.Concurrent;
using Hokusai.Keys.Usage;

namespace Hokusai.Keys.Core.Tests;

/// <summary>
/// Keeps the thresholds it is given. With <see cref="Hold"/> set, each call first signals <see cref="Entered"/> and then
/// waits for <see cref="Release"/> (or its cancellation), so a test knows exactly what the consumer has taken.
/// </summary>
internal sealed class RecordingThresholdSink : IQuotaThresholdSink
{
    private readonly ConcurrentQueue<QuotaThreshold> _received = new();
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Hold { get; init; }

    /// <summary>Thrown by every call when set (after it is counted as received).</summary>
    public Exception? Failure { get; set; }

    public SemaphoreSlim Entered { get; } = new(0);

    public IReadOnlyList<QuotaThreshold> Received => [.. _received];

    public void Release() => _released.TrySetResult();

    public async ValueTask QuotaThresholdCrossedAsync(QuotaThreshold threshold, CancellationToken cancellationToken)
    {
        if (Hold)
        {
            Entered.Release();
            await _released.Task.WaitAsync(cancellationToken);
        }
        _received.Enqueue(threshold);
        if (Failure is { } failure) throw failure;
    }
}
