using Hokusai.Keys.Management;
using Hokusai.Keys.Security;
using Hokusai.Keys.Validation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hokusai.Keys;

public static class CoreServiceCollectionExtensions
{
    /// <summary>Domain services: hashing, digests, validation, management. Storage and cache come from adapters.</summary>
    public static IServiceCollection AddHokusaiCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SecurityOptions>().Bind(configuration.GetSection(SecurityOptions.SectionName));
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<KeyMetrics>();
        services.TryAddSingleton<ISecretHasher, BcryptSecretHasher>();
        services.TryAddSingleton<SecretDigester>();
        services.TryAddSingleton<Usage.IUsageRecorder, Usage.NullUsageRecorder>();
        services.TryAddSingleton<Usage.IQuotaThresholdSink, Usage.NullQuotaThresholdSink>();
        services.TryAddSingleton<KeyValidator>();
        services.TryAddSingleton<KeyManagementService>();
        services.TryAddSingleton<AdminBootstrapper>();
        return services;
    }
}
