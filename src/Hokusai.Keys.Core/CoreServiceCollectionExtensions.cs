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
        services.AddOptions<KeyAgeOptions>().Bind(configuration.GetSection(KeyAgeOptions.SectionName))
            .Validate(o => o.Admin >= 0 && o.KeyManagement >= 0 && o.Other >= 0 && o.Admin <= 3650 && o.KeyManagement <= 3650 && o.Other <= 3650,
                "Hokusai:Policy:MaxKeyAgeDays: each class is 0 (unlimited) to 3650 days.");
        services.TryAddSingleton<KeyAgePolicy>();
        services.AddOptions<RateLimiting.RateLimitingOptions>().Bind(configuration.GetSection(RateLimiting.RateLimitingOptions.SectionName))
            .Validate(o => RateLimiting.RateLimitFailureModes.IsValid(o.FailureMode), "Hokusai:RateLimiting:FailureMode must be local, fail-open or fail-closed.")
            .Validate(o => o.ExpectedInstanceCount >= 1 && o.MaxCost >= 1, "Hokusai:RateLimiting: ExpectedInstanceCount and MaxCost must be at least 1.")
            .Validate(o => o.RedisKeyGroups is >= 1 and <= 16384, "Hokusai:RateLimiting:RedisKeyGroups must be 1–16384.");
        services.TryAddSingleton<RateLimiting.LocalRateLimiter>();
        services.TryAddSingleton<RateLimiting.IRateLimiter>(sp => sp.GetRequiredService<RateLimiting.LocalRateLimiter>());
        services.TryAddSingleton<RateLimiting.FailureLimiter>();
        services.TryAddSingleton<RateLimiting.SecretCheckBudget>();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<KeyMetrics>();
        services.TryAddSingleton<ISecretHasher, BcryptSecretHasher>();
        services.TryAddSingleton<SecretDigester>();
        services.TryAddSingleton<SecretVerificationQueue>();
        services.TryAddSingleton<Usage.IUsageRecorder, Usage.NullUsageRecorder>();
        services.TryAddSingleton<Usage.IQuotaThresholdSink, Usage.NullQuotaThresholdSink>();
        services.TryAddSingleton<Usage.QuotaThresholdQueue>();
        services.TryAddSingleton<KeyValidator>();
        services.TryAddSingleton<KeyManagementService>();
        services.TryAddSingleton<UsageReportService>();
        services.TryAddSingleton<Usage.IUsageReportSink, Usage.NullUsageReportSink>();
        services.TryAddSingleton<UsageReportIntake>();
        services.TryAddSingleton<Leaks.LeakReportService>();
        services.TryAddSingleton<AdminBootstrapper>();
        return services;
    }
}
