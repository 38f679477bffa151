using System.Net.Http.Headers;

namespace Hokusai.Keys.Client;

/// <summary>
/// Adds the resolved Hokusai API key (<c>Authorization: Bearer …</c>) to every request of an HttpClient that has none.
/// Register with <c>services.AddHttpClient("x").AddHokusaiApiKey()</c>.
/// </summary>
public sealed class HokusaiApiKeyMessageHandler : DelegatingHandler
{
    private readonly Lazy<string?> _apiKey;

    /// <summary>A handler that resolves its key once, on first use, as <see cref="HokusaiKeysClient"/> would.</summary>
    /// <param name="options">Key, profile and config file to resolve from; default: the usual resolution order.</param>
    public HokusaiApiKeyMessageHandler(HokusaiKeysClientOptions? options = null)
    {
        options ??= new HokusaiKeysClientOptions();
        _apiKey = new Lazy<string?>(() => options.Resolve().ApiKey);
    }

    /// <summary>Adds the key to a request that carries neither <c>Authorization</c> nor <c>X-API-Key</c>.</summary>
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization is null && !request.Headers.Contains("X-API-Key") && _apiKey.Value is { } key)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return base.SendAsync(request, cancellationToken);
    }
}
