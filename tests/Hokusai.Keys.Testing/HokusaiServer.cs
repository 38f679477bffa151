using System.Net;
using System.Net.Http.Headers;
using Hokusai.Keys.Management;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Testing;

/// <summary>
/// One instance of the standalone server (the real Program, its real DI graph) over real Azurite and Redis.
/// Instances made from one <see cref="ServerGroup"/> share tables, Redis prefix and pepper, like a scaled-out deployment.
/// A test-only middleware sets the connection's peer address from <see cref="PeerHeader"/>, standing in for the TCP peer.
/// </summary>
public sealed class HokusaiServer : WebApplicationFactory<Program>
{
    public const string PeerHeader = "X-Test-Peer";

    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    internal HokusaiServer(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services)
    {
        _settings = settings;
        _services = services;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Test");
        // UseSetting (not ConfigureAppConfiguration): Program reads some settings before Build().
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        // Errors only: test output stays readable (and a server error is still shown with its test).
        builder.ConfigureLogging(logging => logging.ClearProviders().AddConsole().AddFilter((_, level) => level >= LogLevel.Error));
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<IStartupFilter, TestPeerStartupFilter>();
            _services?.Invoke(services);
        });
    }

    /// <summary>
    /// An HTTP client of this server (base address http://localhost) whose every answer is checked against
    /// docs/openapi.json: one the document does not describe fails the request (<see cref="OpenApiCheckingHandler"/>).
    /// </summary>
    public new HttpClient CreateClient() => CreateDefaultClient(new Uri("http://localhost"), new OpenApiCheckingHandler());

    /// <summary>A handler to this server that checks every answer against docs/openapi.json, for clients made elsewhere (the SDK, the CLI).</summary>
    public HttpMessageHandler CreateCheckedHandler() => new OpenApiCheckingHandler(Server.CreateHandler());

    /// <summary>An HTTP client that authenticates with <paramref name="apiKey"/> (Bearer) and, optionally, comes from <paramref name="peer"/>.</summary>
    public HttpClient Client(string? apiKey = null, string? peer = null)
    {
        var client = CreateClient();
        if (apiKey is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        if (peer is not null) client.DefaultRequestHeaders.Add(PeerHeader, peer);
        return client;
    }

    /// <summary>Creates a bootstrap-style admin key directly (as ./run.sh does) and returns its plaintext.</summary>
    public async Task<string> CreateAdminKeyAsync(string owner = "admin")
    {
        var bootstrapper = Services.GetRequiredService<AdminBootstrapper>();
        var created = await bootstrapper.BootstrapAsync("Test Admin", owner, force: true, CancellationToken.None);
        return created!.Key.Plaintext;
    }

    private sealed class TestPeerStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                var peer = context.Request.Headers[PeerHeader].ToString();
                context.Connection.RemoteIpAddress = IPAddress.TryParse(peer, out var address) ? address : IPAddress.Loopback;
                await nextMiddleware(context);
            });
            next(app);
        };
    }
}

/// <summary>Settings shared by the instances of one simulated deployment.</summary>
public sealed class ServerGroup
{
    private readonly Dictionary<string, string?> _settings;

    private ServerGroup(Dictionary<string, string?> settings) => _settings = settings;

    public string TablePrefix => _settings["Hokusai:Storage:TablePrefix"]!;

    /// <summary>The settings every instance gets (e.g. for a <see cref="ServerProcess"/>).</summary>
    public IReadOnlyDictionary<string, string?> Settings => _settings;

    public string StorageConnectionString => _settings["Hokusai:Storage:ConnectionString"]!;

    public string RedisConnectionString => _settings["Hokusai:Redis:ConnectionString"]!;

    public string RedisKeyPrefix => _settings["Hokusai:Redis:KeyPrefix"]!;

    /// <summary>A fresh deployment on the shared Azurite and Redis (or on <paramref name="redis"/>, e.g. one a test will stop).</summary>
    public static async Task<ServerGroup> CreateAsync(RedisInstance? redis = null, bool withRedis = true)
    {
        redis ??= withRedis ? await SharedInfrastructure.RedisAsync() : null;
        return await CreateOnAsync(redis?.ConnectionString);
    }

    /// <summary>A fresh deployment on the shared single-node Redis or the shared three-master Redis Cluster.</summary>
    public static async Task<ServerGroup> CreateAsync(RedisTopology topology) => topology == RedisTopology.Cluster
        ? await CreateOnAsync((await SharedInfrastructure.RedisClusterAsync()).ConnectionString)
        : await CreateAsync();

    /// <summary>A fresh deployment on <paramref name="cluster"/> (e.g. one a test will flush).</summary>
    public static Task<ServerGroup> CreateAsync(RedisCluster cluster) => CreateOnAsync(cluster.ConnectionString);

    private static async Task<ServerGroup> CreateOnAsync(string? redisConnectionString)
    {
        var azurite = await SharedInfrastructure.AzuriteAsync();
        var id = "t" + Guid.NewGuid().ToString("N")[..12];
        return new ServerGroup(new Dictionary<string, string?>
        {
            ["Hokusai:Storage:ConnectionString"] = azurite.ConnectionString,
            ["Hokusai:Storage:TablePrefix"] = id,
            ["Hokusai:Redis:ConnectionString"] = redisConnectionString ?? "",
            ["Hokusai:Redis:KeyPrefix"] = id,
            ["Hokusai:Security:BcryptWorkFactor"] = "4",
            ["Hokusai:Security:CachePepper"] = "test-pepper-" + Guid.NewGuid().ToString("N"),
            ["Hokusai:Network:TrustedProxies"] = "",
        });
    }

    /// <summary>
    /// Redis calls wait seconds instead of the production 250 ms: for tests of what the shared limiter decides, where a
    /// loaded test machine's slow answer must not hand the decision to the failure mode (tested on its own).
    /// </summary>
    public ServerGroup WithPatientRedis() => With("Hokusai:Redis:TimeoutMilliseconds", "5000");

    public ServerGroup With(string key, string? value)
    {
        var copy = new Dictionary<string, string?>(_settings) { [key] = value };
        return new ServerGroup(copy);
    }

    public HokusaiServer StartServer(Action<IServiceCollection>? services = null)
    {
        var server = new HokusaiServer(_settings, services);
        _ = server.Server; // start now, so tables exist before the first request
        return server;
    }
}
