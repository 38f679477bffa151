using System.Net;
using System.Net.Http.Headers;
using Hokusai.Keys.AspNetCore;
using Hokusai.Keys.Client.Models;
using Microsoft.Extensions.DependencyInjection;

namespace Hokusai.Keys.Client.Tests;

/// <summary>
/// Issue 20 item 4: <c>AddHokusaiAuthenticatedHttpClient&lt;TClient&gt;()</c> gives any typed client the key from the four
/// sources in order (argument → Setup → HOKUSAI_API_KEY → config file). Process-wide state: runs alone. The "keys" are labels.
/// </summary>
[Collection(ProcessStateCollection.Name)]
public sealed class AuthenticatedHttpClientTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "hokusai-typed-" + Guid.NewGuid().ToString("N"));
    private readonly string? _savedKey = Environment.GetEnvironmentVariable("HOKUSAI_API_KEY");
    private readonly string? _savedProfile = Environment.GetEnvironmentVariable("HOKUSAI_PROFILE");

    public AuthenticatedHttpClientTests()
    {
        HokusaiKeys.Reset();
        Environment.SetEnvironmentVariable("HOKUSAI_API_KEY", null);
        Environment.SetEnvironmentVariable("HOKUSAI_PROFILE", null);
    }

    private string ConfigPath => Path.Combine(_dir, "config.json");

    [Fact]
    public async Task A_typed_client_gets_the_key_from_the_four_sources_in_order()
    {
        var file = HokusaiConfigFile.Load(ConfigPath);
        file.Profiles["default"] = new HokusaiProfile { ApiKey = "from-file" };
        file.Save(ConfigPath);
        Assert.Equal("from-file", await SentKeyAsync(apiKey: null));

        Environment.SetEnvironmentVariable("HOKUSAI_API_KEY", "from-env");
        Assert.Equal("from-env", await SentKeyAsync(apiKey: null));

        HokusaiKeys.Setup(apiKey: "from-setup");
        Assert.Equal("from-setup", await SentKeyAsync(apiKey: null));

        Assert.Equal("from-argument", await SentKeyAsync(apiKey: "from-argument"));
    }

    [Fact]
    public async Task Named_and_interface_registrations_each_get_their_own_key_and_a_request_with_credentials_is_left_alone()
    {
        var recorder = new RecordingHandler();
        var services = new ServiceCollection();
        services.AddHokusaiAuthenticatedHttpClient<ModelRegistry>("primary", o => Isolated(o, "key-primary"))
            .ConfigureHttpClient(http => http.BaseAddress = new Uri("http://models.example/"))
            .ConfigurePrimaryHttpMessageHandler(() => recorder);
        services.AddHokusaiAuthenticatedHttpClient<IModelRegistry, ModelRegistry>(o => Isolated(o, "key-interface"))
            .ConfigureHttpClient(http => http.BaseAddress = new Uri("http://models.example/"))
            .ConfigurePrimaryHttpMessageHandler(() => recorder);
        using var provider = services.BuildServiceProvider();

        var factory = provider.GetRequiredService<IHttpClientFactory>();
        await new ModelRegistry(factory.CreateClient("primary")).ListAsync();
        Assert.Equal("key-primary", recorder.Authorization);
        await provider.GetRequiredService<IModelRegistry>().ListAsync();
        Assert.Equal("key-interface", recorder.Authorization);

        await provider.GetRequiredService<IModelRegistry>().ListAsync("own-credential");
        Assert.Equal("own-credential", recorder.Authorization);
    }

    [Fact]
    public void Reports_keep_within_the_platforms_bounds()
    {
        // 250,000 uses of one key and address, and 600 keys of one use: entries of at most 100,000, reports of at most 500 entries and 100,000 uses.
        var counts = new List<(string, string?, long)> { ("aaaaaaaaaaaaaaaa", "203.0.113.7", 250_000) };
        counts.AddRange(Enumerable.Range(0, 600).Select(i => ($"k{i:D15}", (string?)null, 1L)));
        var reports = HokusaiUsageReporter.MakeReports(counts);

        Assert.Equal(250_600, reports.Sum(r => r.Uses));
        Assert.Equal(250_600, reports.SelectMany(r => r.Entries).Sum(e => e.Count));
        Assert.All(reports, r =>
        {
            Assert.InRange(r.Entries.Count, 1, UsageReportEntry.MaxEntries);
            Assert.InRange(r.Uses, 1, UsageReportEntry.MaxUsesPerReport);
            Assert.Equal(r.Uses, r.Entries.Sum(e => e.Count));
            Assert.All(r.Entries, e => Assert.InRange(e.Count, 1, UsageReportEntry.MaxCount));
        });
        Assert.Equal(reports.Count, reports.Select(r => r.Id).Distinct().Count());
    }

    private async Task<string?> SentKeyAsync(string? apiKey)
    {
        var recorder = new RecordingHandler();
        var services = new ServiceCollection();
        services.AddHokusaiAuthenticatedHttpClient<ModelRegistry>(o =>
            {
                o.ApiKey = apiKey;
                o.ConfigFilePath = ConfigPath;
            })
            .ConfigureHttpClient(http => http.BaseAddress = new Uri("http://models.example/"))
            .ConfigurePrimaryHttpMessageHandler(() => recorder);
        using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<ModelRegistry>().ListAsync();
        return recorder.Authorization;
    }

    private void Isolated(HokusaiKeysClientOptions options, string key)
    {
        options.ApiKey = key;
        options.UseGlobalSetup = false;
        options.EnvironmentVariables = _ => null;
        options.ConfigFilePath = ConfigPath;
    }

    public void Dispose()
    {
        HokusaiKeys.Reset();
        Environment.SetEnvironmentVariable("HOKUSAI_API_KEY", _savedKey);
        Environment.SetEnvironmentVariable("HOKUSAI_PROFILE", _savedProfile);
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    public interface IModelRegistry
    {
        Task ListAsync(string? ownCredential = null);
    }

    /// <summary>The seed's shape: a service's typed client that only says what it calls; the key comes from the registration.</summary>
    public sealed class ModelRegistry(HttpClient http) : IModelRegistry
    {
        public async Task ListAsync(string? ownCredential = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "models");
            if (ownCredential is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ownCredential);
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public string? Authorization { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Authorization = request.Headers.Authorization?.Parameter;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }
}
