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

    /// <summary>
    /// Registers the typed client <typeparamref name="TClient"/> (as <c>AddHttpClient&lt;TClient&gt;()</c> does) with the
    /// Hokusai API key on every request that carries no credentials: the key of <paramref name="configure"/>, else
    /// <see cref="HokusaiKeys.Setup"/>, else <c>HOKUSAI_API_KEY</c>, else the config file's profile
    /// (<see cref="HokusaiSettingsResolver"/>). Set the client's base address with the returned builder's
    /// <c>ConfigureHttpClient</c> or in <typeparamref name="TClient"/>'s constructor.
    /// </summary>
    /// <typeparam name="TClient">The typed client; it takes an <see cref="HttpClient"/> in its constructor.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the key, profile or config file to resolve from; default: the usual order.</param>
    /// <returns>The client's builder, for further configuration.</returns>
    public static IHttpClientBuilder AddHokusaiAuthenticatedHttpClient<TClient>(this IServiceCollection services, Action<HokusaiKeysClientOptions>? configure = null)
        where TClient : class
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddHttpClient<TClient>().AddHokusaiApiKey(configure);
    }

    /// <summary>
    /// As <see cref="AddHokusaiAuthenticatedHttpClient{TClient}(IServiceCollection, Action{HokusaiKeysClientOptions})"/>,
    /// for a client registered as <typeparamref name="TClient"/> and implemented by <typeparamref name="TImplementation"/>.
    /// </summary>
    /// <typeparam name="TClient">The type the client is resolved as.</typeparam>
    /// <typeparam name="TImplementation">The type that implements it; it takes an <see cref="HttpClient"/> in its constructor.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the key, profile or config file to resolve from; default: the usual order.</param>
    /// <returns>The client's builder, for further configuration.</returns>
    public static IHttpClientBuilder AddHokusaiAuthenticatedHttpClient<TClient, TImplementation>(this IServiceCollection services,
        Action<HokusaiKeysClientOptions>? configure = null)
        where TClient : class
        where TImplementation : class, TClient
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddHttpClient<TClient, TImplementation>().AddHokusaiApiKey(configure);
    }

    /// <summary>
    /// As <see cref="AddHokusaiAuthenticatedHttpClient{TClient}(IServiceCollection, Action{HokusaiKeysClientOptions})"/>,
    /// under the HttpClient name <paramref name="name"/> (several typed clients of one type, each with its own key or profile).
    /// </summary>
    /// <typeparam name="TClient">The typed client; it takes an <see cref="HttpClient"/> in its constructor.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The logical name of the HttpClient.</param>
    /// <param name="configure">Sets the key, profile or config file to resolve from; default: the usual order.</param>
    /// <returns>The client's builder, for further configuration.</returns>
    public static IHttpClientBuilder AddHokusaiAuthenticatedHttpClient<TClient>(this IServiceCollection services, string name,
        Action<HokusaiKeysClientOptions>? configure = null)
        where TClient : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return services.AddHttpClient<TClient>(name).AddHokusaiApiKey(configure);
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
