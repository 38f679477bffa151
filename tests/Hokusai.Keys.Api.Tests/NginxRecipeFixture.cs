using System.Net.Http.Headers;
using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Api.Tests;

/// <summary>
/// docs/gateways.md's nginx recipe, run as the doc shows it: a real nginx in front of an echoing application, asking a
/// real server process (over real Azurite and Redis) that believes nginx's X-Forwarded-For, as the recipe tells.
/// </summary>
public sealed class NginxRecipeFixture : IAsyncLifetime
{
    public const string Doc = "docs/gateways.md";

    private ServerProcess? _server;
    private EchoUpstream? _application;
    private NginxGateway? _nginx;

    public ServerProcess Server => _server!;
    public NginxGateway Nginx => _nginx!;

    /// <summary>Management calls to the server process itself (so a revocation is seen by the instance nginx asks at once).</summary>
    public HttpClient Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // nginx reaches the server from 127.0.0.1: the doc's "list nginx's address in TrustedProxies".
        var group = (await ServerGroup.CreateAsync()).With("Hokusai:Network:TrustedProxies", "127.0.0.1/32");
        string admin;
        using (var creator = group.StartServer()) admin = await creator.CreateAdminKeyAsync();
        _server = await ServerProcess.StartAsync(group.Settings);
        Admin = new HttpClient { BaseAddress = _server.BaseAddress };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        _application = await EchoUpstream.StartAsync();

        _nginx = new NginxGateway();
        await _nginx.StartAsync(Recipe(_nginx, _server.BaseAddress.Port, _application.Port));
    }

    /// <summary>The doc's one nginx block, with only its addresses and log folder replaced (each must be there, once).</summary>
    private static string Recipe(NginxGateway nginx, int serverPort, int applicationPort)
    {
        var blocks = MarkdownCodeBlocks.Of(Doc, "nginx");
        Assert.True(blocks.Count == 1, $"{Doc} should show exactly one nginx block (the tested recipe), not {blocks.Count}");
        var recipe = blocks[0];
        (string Doc, string Test)[] replacements =
        [
            ("listen 8080;", $"listen 127.0.0.1:{nginx.Port};"),
            ("server 127.0.0.1:7071;", $"server 127.0.0.1:{serverPort};"),
            ("server 127.0.0.1:5000;", $"server 127.0.0.1:{applicationPort};"),
            ("/var/log/nginx/", nginx.LogDirectory + "/"),
        ];
        foreach (var (doc, test) in replacements)
        {
            var count = recipe.Split(doc).Length - 1;
            Assert.True(count == 1, $"the recipe in {Doc} should contain '{doc}' once (the test replaces it), found {count}");
            recipe = recipe.Replace(doc, test, StringComparison.Ordinal);
        }
        return recipe;
    }

    public async Task DisposeAsync()
    {
        _nginx?.Dispose();
        if (_application is not null) await _application.DisposeAsync();
        Admin?.Dispose();
        _server?.Dispose();
    }
}
