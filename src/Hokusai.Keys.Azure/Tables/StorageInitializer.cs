using Hokusai.Keys.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Azure.Tables;

/// <summary>Creates the tables on start (replacing the original system's migration script), retrying while storage is down.</summary>
internal sealed partial class StorageInitializer(IKeyStore store, ILogger<StorageInitializer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var delay = TimeSpan.FromSeconds(1); !stoppingToken.IsCancellationRequested; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks)))
        {
            try
            {
                await store.EnsureCreatedAsync(stoppingToken);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRetry(logger, ex, delay.TotalSeconds);
            }
            await Task.Delay(delay, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not create tables; retrying in {DelaySeconds} s")]
    private static partial void LogRetry(ILogger logger, Exception exception, double delaySeconds);
}
