using Hokusai.Keys.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the Hokusai API key authentication scheme.</summary>
public static class HokusaiAuthenticationExtensions
{
    /// <summary>Adds the Hokusai API key scheme (<see cref="HokusaiApiKeyDefaults.AuthenticationScheme"/>).</summary>
    public static AuthenticationBuilder AddHokusaiApiKey(this AuthenticationBuilder builder, Action<HokusaiApiKeyOptions>? configure = null) =>
        builder.AddHokusaiApiKey(HokusaiApiKeyDefaults.AuthenticationScheme, configure);

    /// <summary>
    /// Adds the Hokusai API key scheme under the name <paramref name="scheme"/> (several schemes may use different APIs or
    /// keys), and the background service that follows the change feed for a scheme with a <see cref="HokusaiApiKeyOptions.ServiceKey"/>.
    /// </summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="scheme">The scheme's name.</param>
    /// <param name="configure">Sets the scheme's options.</param>
    public static AuthenticationBuilder AddHokusaiApiKey(this AuthenticationBuilder builder, string scheme, Action<HokusaiApiKeyOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<HokusaiClientRegistry>();
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<HokusaiHandlerMetrics>();
        builder.Services.TryAddSingleton<HokusaiCachedUseCounter>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, HokusaiUsageReporter>());
        // Follows the change feed for every scheme given a ServiceKey (and does nothing for the others).
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new FollowedScheme(scheme));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, KeyChangeFollower>());
        return builder.AddScheme<HokusaiApiKeyOptions, HokusaiApiKeyHandler>(scheme, configure);
    }
}
