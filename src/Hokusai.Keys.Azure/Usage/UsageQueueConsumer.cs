using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Azure.Usage;

/// <summary>
/// The standalone server's equivalent of the Functions queue trigger: polls the usage queue (backing off to
/// <see cref="UsageOptions.MaxPollIntervalMilliseconds"/> when empty), hands each message to <see cref="UsageIngestor"/>,
/// deletes it on success, makes it visible again after <see cref="UsageOptions.RetryDelayMilliseconds"/> on failure, and
/// moves it to <c>{queue}-poison</c> once it has failed <see cref="UsageOptions.MaxDequeueCount"/> times — like the
/// Functions host with host.json's <c>maxDequeueCount</c>. A bad message never blocks the others.
/// </summary>
internal sealed partial class UsageQueueConsumer(UsageQueues queues, UsageIngestor ingestor, IOptions<UsageOptions> options, ILogger<UsageQueueConsumer> logger)
    : BackgroundService
{
    private static readonly TimeSpan ProcessingVisibility = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var minDelay = TimeSpan.FromMilliseconds(50);
        var maxDelay = TimeSpan.FromMilliseconds(Math.Max(50, settings.MaxPollIntervalMilliseconds));
        var delay = minDelay;
        var batchSize = Math.Clamp(settings.ConsumerBatchSize, 1, 32);
        while (!stoppingToken.IsCancellationRequested)
        {
            QueueMessage[] messages;
            try
            {
                await queues.EnsureCreatedAsync(stoppingToken);
                messages = (await queues.Usage.ReceiveMessagesAsync(batchSize, ProcessingVisibility, stoppingToken)).Value;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogReceiveFailed(logger, ex);
                messages = [];
                delay = maxDelay;
            }
            if (messages.Length == 0)
            {
                try
                {
                    await Task.Delay(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, maxDelay.Ticks));
                continue;
            }
            delay = minDelay;
            await HandleAsync(messages, settings, stoppingToken);
        }
    }

    /// <summary>One receive is ingested together (one table write per key for all its messages), then settled message by message.</summary>
    private async Task HandleAsync(QueueMessage[] received, UsageOptions settings, CancellationToken stoppingToken)
    {
        var messages = new List<QueueMessage>(received.Length);
        foreach (var message in received)
        {
            if (message.DequeueCount <= settings.MaxDequeueCount)
            {
                messages.Add(message);
                continue;
            }
            await SettleAsync(message, new InvalidOperationException("dequeue count exceeded"), settings, stoppingToken);
        }
        if (messages.Count == 0) return;
        IReadOnlyList<Exception?> outcomes;
        try
        {
            outcomes = await ingestor.IngestManyAsync(messages.ConvertAll(m => m.Body), stoppingToken);
        }
        catch (Exception ex)
        {
            outcomes = messages.ConvertAll<Exception?>(_ => ex);
        }
        await Task.WhenAll(messages.Select((m, i) => SettleAsync(m, outcomes[i], settings, stoppingToken)));
    }

    private async Task SettleAsync(QueueMessage message, Exception? failure, UsageOptions settings, CancellationToken stoppingToken)
    {
        try
        {
            if (message.DequeueCount > settings.MaxDequeueCount)
            {
                await MoveToPoisonAsync(message, "dequeue count exceeded", stoppingToken);
                return;
            }
            if (failure is OperationCanceledException && stoppingToken.IsCancellationRequested) throw failure;
            if (failure is null)
            {
                await queues.Usage.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken);
            }
            else
            {
                var ex = failure;
                var reason = ex is InvalidUsageMessageException invalid ? invalid.Reason : ex.GetType().Name;
                if (message.DequeueCount >= settings.MaxDequeueCount)
                {
                    await MoveToPoisonAsync(message, reason, stoppingToken);
                    return;
                }
                LogRetry(logger, message.MessageId, message.DequeueCount, settings.MaxDequeueCount, reason);
                await queues.Usage.UpdateMessageAsync(message.MessageId, message.PopReceipt,
                    visibilityTimeout: TimeSpan.FromMilliseconds(Math.Max(0, settings.RetryDelayMilliseconds)), cancellationToken: stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping mid-message: hand it back now rather than after the visibility timeout (re-processing is idempotent).
            try
            {
                await queues.Usage.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogHandleFailed(logger, message.MessageId, ex);
            }
        }
        catch (Exception ex)
        {
            LogHandleFailed(logger, message.MessageId, ex);
        }
    }

    private async Task MoveToPoisonAsync(QueueMessage message, string reason, CancellationToken cancellationToken)
    {
        await queues.EnsureCreatedAsync(cancellationToken);
        await queues.Poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken);
        await queues.Usage.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
        LogPoisoned(logger, message.MessageId, message.DequeueCount, reason, queues.Poison.Name);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage message {MessageId} failed (dequeue {DequeueCount} of {MaxDequeueCount}): {Reason}; retrying later")]
    private static partial void LogRetry(ILogger logger, string messageId, long dequeueCount, int maxDequeueCount, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Usage message {MessageId} moved to the poison queue after {DequeueCount} dequeues: {Reason} (queue {PoisonQueue})")]
    private static partial void LogPoisoned(ILogger logger, string messageId, long dequeueCount, string reason, string poisonQueue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Receiving usage messages failed; retrying")]
    private static partial void LogReceiveFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handling usage message {MessageId} failed; it becomes visible again")]
    private static partial void LogHandleFailed(ILogger logger, string messageId, Exception exception);
}
