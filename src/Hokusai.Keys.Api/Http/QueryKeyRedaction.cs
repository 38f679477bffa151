using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Hokusai.Keys.Api.Http;

/// <summary>
/// Keeps <c>?api_key=</c> out of everything that records request URLs. The host logs "Request starting … {QueryString}"
/// and "Request finished …" and starts the request activity before any middleware runs, so no middleware can redact
/// them; the server hands each request to the host, so the query is rewritten there, before the host sees it: every
/// <c>api_key</c> value becomes <see cref="Redacted"/> and the presented value moves to <see cref="PresentedQueryKey"/>,
/// which <see cref="PresentedKey"/> reads. Whatever the log levels, nothing downstream ever sees the key in the query.
/// </summary>
public static class QueryKeyRedaction
{
    public const string Redacted = "REDACTED";

    /// <summary>Wraps the registered <see cref="IServer"/> (Kestrel) so each request's query is redacted before the host sees it.</summary>
    public static IServiceCollection AddHokusaiQueryKeyRedaction(this IServiceCollection services)
    {
        var descriptor = services.LastOrDefault(d => d.ServiceType == typeof(IServer))
            ?? throw new InvalidOperationException("No IServer is registered yet: add the query key redaction after the web host's server.");
        services.Remove(descriptor);
        services.AddSingleton<IServer>(sp => new RedactingServer(
            descriptor.ImplementationInstance as IServer
            ?? descriptor.ImplementationFactory?.Invoke(sp) as IServer
            ?? (IServer)ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!)));
        return services;
    }

    /// <summary>
    /// Moves the <c>api_key</c> value of the request's query to a <see cref="PresentedQueryKey"/> feature and leaves the
    /// query with <see cref="Redacted"/> in its place. Other parameters are kept as sent.
    /// </summary>
    public static void Apply(IFeatureCollection features)
    {
        var request = features.Get<IHttpRequestFeature>();
        var query = request?.QueryString;
        if (request is null || string.IsNullOrEmpty(query) || (query.IndexOf("_key", StringComparison.OrdinalIgnoreCase) < 0 && query.IndexOf('%') < 0)) return; // most requests: no parse
        if (!QueryHelpers.ParseQuery(query).TryGetValue(PresentedKey.QueryName, out var values)) return;
        request.QueryString = "?" + string.Join('&', query.TrimStart('?').Split('&').Select(part => IsKeyParameter(part) ? PresentedKey.QueryName + "=" + Redacted : part));
        features.Set(new PresentedQueryKey(values.Count > 0 ? values[0] ?? "" : ""));
    }

    private static bool IsKeyParameter(string part)
    {
        var separator = part.IndexOf('=');
        var name = separator < 0 ? part : part[..separator];
        return string.Equals(Uri.UnescapeDataString(name.Replace('+', ' ')), PresentedKey.QueryName, StringComparison.OrdinalIgnoreCase);
    }

    private sealed class RedactingServer(IServer inner) : IServer
    {
        public IFeatureCollection Features => inner.Features;

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull =>
            inner.StartAsync(new RedactingApplication<TContext>(application), cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => inner.StopAsync(cancellationToken);

        public void Dispose() => inner.Dispose();
    }

    private sealed class RedactingApplication<TContext>(IHttpApplication<TContext> inner) : IHttpApplication<TContext> where TContext : notnull
    {
        public TContext CreateContext(IFeatureCollection contextFeatures)
        {
            Apply(contextFeatures);
            return inner.CreateContext(contextFeatures);
        }

        public Task ProcessRequestAsync(TContext context) => inner.ProcessRequestAsync(context);

        public void DisposeContext(TContext context, Exception? exception) => inner.DisposeContext(context, exception);
    }
}
