using Hokusai.Keys.Api.Handlers;
using Hokusai.Keys.Api.Http;
using Hokusai.Keys.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hokusai.Keys.Api;

public static class ApiServiceCollectionExtensions
{
    /// <summary>Everything both hosts need: domain, storage, cache and the HTTP handlers.</summary>
    public static IServiceCollection AddHokusaiKeysApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHokusaiCore(configuration);
        services.AddHokusaiTableStorage(configuration);
        services.AddHokusaiRedisCache(configuration);
        services.AddHokusaiRedisRateLimiting(configuration);
        services.AddHokusaiUsage(configuration);
        services.AddHokusaiLifecycleEvents();
        services.AddOptions<NetworkOptions>().Bind(configuration.GetSection(NetworkOptions.SectionName));
        services.AddOptions<Leaks.GitHubLeakReportOptions>().Bind(configuration.GetSection(Leaks.GitHubLeakReportOptions.SectionName));
        services.TryAddSingleton<Leaks.GitHubKeyRing>();
        services.TryAddSingleton<LeakReportsApi>();
        services.TryAddSingleton<ClientIpResolver>();
        services.TryAddSingleton<ApiErrorBoundary>();
        services.TryAddSingleton<ManagementAuthenticator>();
        services.TryAddSingleton<KeysApi>();
        services.TryAddSingleton<ValidationApi>();
        services.TryAddSingleton<SystemApi>();
        services.TryAddSingleton<UsageApi>();
        services.TryAddSingleton<UsageReportsApi>();
        services.TryAddSingleton<KeyChangesApi>();
        services.TryAddSingleton<ApiInvoker>();
        return services;
    }
}
