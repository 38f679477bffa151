using System.Net;
using System.Security.Claims;
using Hokusai.Keys.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Client.Tests;

/// <summary>
/// A tiny downstream API that accepts Hokusai keys through <c>AddAuthentication().AddHokusaiApiKey</c>, its SDK pointed at
/// the Hokusai test server. <c>X-Peer</c> stands in for the caller's address.
/// </summary>
public sealed class AuthHandlerApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AuthHandlerApp(WebApplication app)
    {
        _app = app;
        Client = app.GetTestClient();
    }

    public HttpClient Client { get; }

    public static Task<AuthHandlerApp> StartAsync(ServerFixture hokusai, Action<HokusaiApiKeyOptions>? configure = null) =>
        StartAsync(hokusai.Endpoint, hokusai.Server.CreateCheckedHandler(), configure);

    /// <summary>The app verifying through one server instance of several.</summary>
    public static Task<AuthHandlerApp> StartAsync(Hokusai.Keys.Testing.HokusaiServer hokusai, Action<HokusaiApiKeyOptions>? configure = null) =>
        StartAsync(hokusai.Server.BaseAddress, hokusai.CreateCheckedHandler(), configure);

    /// <summary>The app verifying through <paramref name="handler"/> (e.g. one server instance of several, behind a test probe).</summary>
    public static async Task<AuthHandlerApp> StartAsync(Uri endpoint, HttpMessageHandler handler, Action<HokusaiApiKeyOptions>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Test" });
        builder.WebHost.UseTestServer();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddAuthentication(HokusaiApiKeyDefaults.AuthenticationScheme).AddHokusaiApiKey(o =>
        {
            o.Client.Endpoint = endpoint;
            o.Client.HttpMessageHandler = handler;
            o.Client.UseGlobalSetup = false;
            o.Client.EnvironmentVariables = _ => null;
            configure?.Invoke(o);
        });
        builder.Services.AddAuthorizationBuilder().AddPolicy("models", p => p.RequireScope("models:read"));
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            if (IPAddress.TryParse(context.Request.Headers["X-Peer"].ToString(), out var peer)) context.Connection.RemoteIpAddress = peer;
            await next(context);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/me", (ClaimsPrincipal user) => new
        {
            id = user.FindFirst(HokusaiClaimTypes.KeyId)?.Value,
            owner = user.FindFirst(HokusaiClaimTypes.Owner)?.Value,
            scopes = user.FindAll(HokusaiClaimTypes.Scope).Select(c => c.Value).ToArray(),
        }).RequireAuthorization();
        app.MapGet("/models", () => "models").RequireAuthorization("models");
        await app.StartAsync();
        return new AuthHandlerApp(app);
    }

    public static HttpRequestMessage Get(string path, string? bearer = null, string? header = null, string? peer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer is not null) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        if (header is not null) request.Headers.Add("X-API-Key", header);
        if (peer is not null) request.Headers.Add("X-Peer", peer);
        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.DisposeAsync();
    }
}
