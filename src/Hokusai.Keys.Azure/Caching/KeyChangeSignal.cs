using Hokusai.Keys.Azure.Tables;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Hokusai.Keys.Azure.Caching;

/// <summary>
/// Wakes the change feed's long-polls when a change committed: at once on this instance, and through Redis pub/sub on
/// the others. Only a hint: the changes themselves are read from Table Storage, so a lost message costs latency
/// (the long-poll re-reads the table on its own, often while Redis is not connected), never a change.
/// </summary>
internal sealed partial class KeyChangeSignal(ILogger<KeyChangeSignal> logger, RedisConnection? redis = null) : IKeyChangeSignal
{
    private readonly object _gate = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<IConnectionMultiplexer?>? _subscribed;
    private long _failedAt;

    private RedisChannel Channel => RedisChannel.Literal(redis!.KeyPrefix + ":keychanges");

    /// <summary>True when hints from the other instances arrive (Redis connected and subscribed).</summary>
    public bool HearsOtherInstances => _subscribed is { IsCompletedSuccessfully: true, Result: { IsConnected: true } };

    /// <summary>A change committed here: wake local waiters and tell the other instances.</summary>
    public void Notify()
    {
        Pulse();
        if (redis is not { IsConfigured: true }) return;
        _ = PublishAsync();
    }

    /// <summary>Completes at the next change (of any instance that Redis reaches).</summary>
    public Task NextAsync()
    {
        EnsureSubscribed();
        return Volatile.Read(ref _next).Task;
    }

    private void Pulse() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private async Task PublishAsync()
    {
        try
        {
            var connection = await redis!.GetAsync();
            await connection.GetSubscriber().PublishAsync(Channel, "1", CommandFlags.FireAndForget);
        }
        catch (Exception ex)
        {
            LogPublishFailed(logger, ex);
        }
    }

    private void EnsureSubscribed()
    {
        if (redis is not { IsConfigured: true }) return;
        lock (_gate)
        {
            // A failed subscription (Redis down at the time) is retried by a later waiter; once subscribed, the client re-subscribes after reconnects.
            var retry = _subscribed is { IsCompleted: true, Result: null } && Environment.TickCount64 - _failedAt > 5000;
            if (_subscribed is null || retry) _subscribed = SubscribeAsync();
        }
    }

    private async Task<IConnectionMultiplexer?> SubscribeAsync()
    {
        try
        {
            var connection = await redis!.GetAsync();
            await connection.GetSubscriber().SubscribeAsync(Channel, (_, _) => Pulse());
            return connection;
        }
        catch (Exception ex)
        {
            LogSubscribeFailed(logger, ex);
            _failedAt = Environment.TickCount64;
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing a key change hint to Redis failed; other instances see the change at their next table read")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscribing to key change hints failed; long-polls read the table at the short interval")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception);
}
