using Hokusai.Keys.Azure.Usage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Azure.Lifecycle;

/// <summary>The standalone server's equivalent of the Functions timer triggers: outbox, expiry, rotation reminder, usage and change feed retention sweeps.</summary>
internal sealed partial class LifecycleTimerService(LifecycleSweeps sweeps, UsageRetentionSweeper usageRetention, IOptions<LifecycleOptions> options, ILogger<LifecycleTimerService> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(
        LoopAsync("outbox", TimeSpan.FromSeconds(Math.Max(1, options.Value.OutboxSweepSeconds)), sweeps.SweepOutboxAsync, stoppingToken),
        LoopAsync("expiry", TimeSpan.FromSeconds(Math.Max(1, options.Value.ExpirySweepSeconds)), sweeps.SweepExpiryAsync, stoppingToken),
        LoopAsync("rotation reminder", TimeSpan.FromSeconds(Math.Max(1, options.Value.ExpirySweepSeconds)), sweeps.SweepRotationDueAsync, stoppingToken),
        LoopAsync("usage retention", TimeSpan.FromSeconds(Math.Max(1, options.Value.UsageRetentionSweepSeconds)), usageRetention.SweepAsync, stoppingToken),
        LoopAsync("change feed retention", TimeSpan.FromSeconds(Math.Max(1, options.Value.UsageRetentionSweepSeconds)), sweeps.SweepChangeFeedAsync, stoppingToken));

    private async Task LoopAsync(string name, TimeSpan interval, Func<CancellationToken, Task<int>> sweep, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var count = await sweep(stoppingToken);
                    if (count > 0) LogSwept(logger, name, count);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(logger, name, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Lifecycle {Sweep} sweep recorded, sent or deleted {Count} items")]
    private static partial void LogSwept(ILogger logger, string sweep, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lifecycle {Sweep} sweep failed; retrying on the next tick")]
    private static partial void LogFailed(ILogger logger, string sweep, Exception exception);
}
