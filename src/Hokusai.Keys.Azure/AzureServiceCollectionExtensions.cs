using Hokusai.Keys.Azure.Caching;
using Hokusai.Keys.Azure.RateLimiting;
using Hokusai.Keys.Azure.Tables;
using Hokusai.Keys.RateLimiting;
using Hokusai.Keys.Storage;
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
        services.AddHostedService<StorageInitializer>();
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
