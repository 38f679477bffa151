using Hokusai.Keys.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the Hokusai Keys client and its key handler in a service collection.</summary>
public static class HokusaiClientServiceCollectionExtensions
{
    /// <summary>Adds a <see cref="HokusaiApiKeyMessageHandler"/> to this HttpClient: every request without credentials gets the resolved key.</summary>
    public static IHttpClientBuilder AddHokusaiApiKey(this IHttpClientBuilder builder, Action<HokusaiKeysClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new HokusaiKeysClientOptions();
        configure?.Invoke(options);
        return builder.AddHttpMessageHandler(() => new HokusaiApiKeyMessageHandler(options));
    }

    /// <summary>Registers a singleton <see cref="HokusaiKeysClient"/> configured by <paramref name="configure"/>.</summary>
    public static IServiceCollection AddHokusaiKeysClient(this IServiceCollection services, Action<HokusaiKeysClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(_ =>
        {
            var options = new HokusaiKeysClientOptions();
            configure?.Invoke(options);
            return new HokusaiKeysClient(options);
        });
        return services;
    }
}
