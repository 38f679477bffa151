using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Testing;

/// <summary>
/// The application behind a gateway under test: a Kestrel server on a free loopback port that answers every request
/// with 200 and, as JSON, the path, query and headers it received (<c>{ "path", "query", "headers": { name: value } }</c>).
/// </summary>
public sealed class EchoUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoUpstream(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public int Port => BaseAddress.Port;

    public static async Task<EchoUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(context => context.Response.WriteAsJsonAsync(new Dictionary<string, object?>
        {
            ["path"] = context.Request.Path.Value,
            ["query"] = context.Request.QueryString.Value,
            ["headers"] = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
        }));
        await app.StartAsync();
        return new EchoUpstream(app, new Uri(app.Urls.Single()));
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
