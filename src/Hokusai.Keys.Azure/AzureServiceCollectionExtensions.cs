using Hokusai.Keys.Azure.Caching;
using Hokusai.Keys.Azure.Lifecycle;
using Hokusai.Keys.Azure.RateLimiting;
using Hokusai.Keys.Azure.Tables;
using Hokusai.Keys.Azure.Usage;
using Hokusai.Keys.RateLimiting;
using Hokusai.Keys.Storage;
using Hokusai.Keys.Usage;
using Hokusai.Keys.Validation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hokusai.Keys.Azure;

public static class AzureServiceCollectionExtensions
{
    /// <summary>Key storage on Azure Table Storage; tables are created on start.</summary>
    public static IServiceCollection AddHokusaiTableStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.SectionName));
        services.TryAddSingleton<StorageTables>();
        services.TryAddSingleton<IKeyStore, TableKeyStore>();
        // The durable copy of the quota counters (usage aggregates) the Redis limiter rebuilds a lost counter from.
        services.TryAddSingleton<IQuotaBaseline, TableQuotaBaseline>();
        services.AddHostedService<StorageInitializer>();
        // The outbox is part of every key write (TableKeyStore); it is inert until Service Bus is configured.
        services.AddOptions<ServiceBusOptions>().Bind(configuration.GetSection(ServiceBusOptions.SectionName));
        services.AddOptions<LifecycleOptions>().Bind(configuration.GetSection(LifecycleOptions.SectionName));
        services.TryAddSingleton<IKeyEventPublisher, ServiceBusKeyEventPublisher>();
        services.TryAddSingleton<EventOutbox>();
        services.TryAddSingleton<IKeyEventOutbox>(sp => sp.GetRequiredService<EventOutbox>());
        services.AddHostedService(sp => sp.GetRequiredService<EventOutbox>());
        // The change feed edges follow: rows written with every key write, wake-ups through Redis when it is configured.
        services.AddOptions<ChangeFeedOptions>().Bind(configuration.GetSection(ChangeFeedOptions.SectionName))
            .Validate(o => o.MaxWaitSeconds is >= 0 and < ChangeFeedOptions.FunctionsHttpTimeoutSeconds - 30 && o.RetentionHours >= 1 && o.SettleSeconds >= 0,
                $"{ChangeFeedOptions.SectionName}: MaxWaitSeconds must stay well below the Functions HTTP timeout, RetentionHours at least 1.");
        services.TryAddSingleton<IKeyChangeSignal, KeyChangeSignal>();
        services.TryAddSingleton<KeyChangeLog>();
        services.TryAddSingleton<IKeyChangeFeed, TableKeyChangeFeed>();
        return services;
    }

    /// <summary>
    /// Usage pipeline: the queue-backed <see cref="IUsageRecorder"/> (buffer flushed on stop), the ingestion handler and the
    /// usage reader. Consumers: the Functions queue trigger, or <see cref="AddHokusaiBackgroundWorkers"/> in the server.
    /// </summary>
    public static IServiceCollection AddHokusaiUsage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<UsageOptions>().Bind(configuration.GetSection(UsageOptions.SectionName));
        services.TryAddSingleton<UsageQueues>();
        services.TryAddSingleton(sp => new UsageDayIndex(sp.GetRequiredService<StorageTables>()));
        services.TryAddSingleton(sp => new UsageIngestor(sp.GetRequiredService<StorageTables>(), sp.GetRequiredService<UsageDayIndex>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<UsageIngestor>>(), sp.GetService<KeyMetrics>()));
        services.TryAddSingleton(sp => new UsageRetentionSweeper(sp.GetRequiredService<StorageTables>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<UsageOptions>>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<UsageRetentionSweeper>>()));
        services.Replace(ServiceDescriptor.Singleton<IUsageReader, TableUsageReader>());
        if (configuration.GetSection(UsageOptions.SectionName).GetValue("Enabled", true))
        {
            services.TryAddSingleton<QueueUsageRecorder>();
            services.Replace(ServiceDescriptor.Singleton<IUsageRecorder>(sp => sp.GetRequiredService<QueueUsageRecorder>()));
            services.AddHostedService(sp => sp.GetRequiredService<QueueUsageRecorder>());
            services.Replace(ServiceDescriptor.Singleton<IUsageReportSink, QueueUsageReportSink>());
        }
        return services;
    }

    /// <summary>Lifecycle events beyond key writes: quota thresholds, expiry sweeps, outbox sweeps (the entry points of the timers).</summary>
    public static IServiceCollection AddHokusaiLifecycleEvents(this IServiceCollection services)
    {
        services.TryAddSingleton<KeyEventLog>();
        services.Replace(ServiceDescriptor.Singleton<IQuotaThresholdSink, TableQuotaThresholdSink>());
        services.TryAddSingleton(sp => new ExpirySweeper(sp.GetRequiredService<StorageTables>(), sp.GetRequiredService<IKeyStore>(),
            sp.GetRequiredService<KeyEventLog>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ExpirySweeper>>()));
        services.TryAddSingleton(sp => new RotationDueSweeper(sp.GetRequiredService<StorageTables>(), sp.GetRequiredService<IKeyStore>(),
            sp.GetRequiredService<KeyEventLog>(), sp.GetRequiredService<Management.KeyAgePolicy>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<RotationDueSweeper>>()));
        services.TryAddSingleton(sp => new LifecycleSweeps(sp.GetRequiredService<EventOutbox>(), sp.GetRequiredService<ExpirySweeper>(), sp.GetRequiredService<RotationDueSweeper>(),
            sp.GetRequiredService<KeyChangeLog>(), sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<ChangeFeedOptions>>().Value,
            sp.GetService<UsageQueues>() is { } queues ? new UsagePoisonProbe(queues, sp.GetRequiredService<KeyMetrics>(), sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<UsagePoisonProbe>>()) : null));
        return services;
    }

    /// <summary>
    /// The standalone server's stand-ins for the Functions triggers: the usage queue consumer and the lifecycle timers.
    /// The Functions host must not call this (its queue and timer triggers do the same work).
    /// </summary>
    public static IServiceCollection AddHokusaiBackgroundWorkers(this IServiceCollection services, IConfiguration configuration)
    {
        var usage = configuration.GetSection(UsageOptions.SectionName);
        if (usage.GetValue("Enabled", true) && usage.GetValue("ConsumeInProcess", true))
            services.AddHostedService<UsageQueueConsumer>();
        services.AddHostedService<LifecycleTimerService>();
        return services;
    }

    /// <summary>The two-level key cache (in-process + Redis with backplane); in-process only when Redis is not configured.</summary>
    public static IServiceCollection AddHokusaiRedisCache(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRedisConnection(configuration);
        services.AddOptions<CacheOptions>().Bind(configuration.GetSection(CacheOptions.SectionName));
        services.TryAddSingleton<IKeySnapshotCache, FusionKeySnapshotCache>();
        return services;
    }

    /// <summary>Rate limits and quotas decided in Redis (batched Lua), with the configured failure mode; in memory without Redis.</summary>
    public static IServiceCollection AddHokusaiRedisRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddRedisConnection(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LocalRateLimiter>();
        services.Replace(ServiceDescriptor.Singleton<IRateLimiter, RedisRateLimiter>());
        return services;
    }

    /// <summary>The one Redis connection the cache, backplane and rate limiter share.</summary>
    private static void AddRedisConnection(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(RedisConnection))) return;
        services.AddOptions<RedisOptions>().Bind(configuration.GetSection(RedisOptions.SectionName));
        services.AddSingleton<RedisConnection>();
    }
}
