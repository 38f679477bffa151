using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace Hokusai.Keys.Client.Tests;

/// <summary>
/// Key and URL resolution: argument → HokusaiKeys.Setup → HOKUSAI_API_KEY/HOKUSAI_API_URL → config file → default.
/// These change process-wide state, so they run alone. The "keys" here are labels, not real keys.
/// </summary>
[Collection(ProcessStateCollection.Name)]
public sealed class SdkResolutionTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "hokusai-sdk-" + Guid.NewGuid().ToString("N"));
    private readonly string? _savedKey = Environment.GetEnvironmentVariable("HOKUSAI_API_KEY");
    private readonly string? _savedUrl = Environment.GetEnvironmentVariable("HOKUSAI_API_URL");
    private readonly string? _savedProfile = Environment.GetEnvironmentVariable("HOKUSAI_PROFILE");
    private readonly string? _savedConfig = Environment.GetEnvironmentVariable("HOKUSAI_CONFIG");

    public SdkResolutionTests()
    {
        HokusaiKeys.Reset();
        Environment.SetEnvironmentVariable("HOKUSAI_API_KEY", null);
        Environment.SetEnvironmentVariable("HOKUSAI_API_URL", null);
        Environment.SetEnvironmentVariable("HOKUSAI_PROFILE", null);
        Environment.SetEnvironmentVariable("HOKUSAI_CONFIG", null);
    }

    private string ConfigPath => Path.Combine(_dir, "config.json");

    private void WriteConfig(string? key = "from-file", string? url = "http://file.example", string profile = "default", string? defaultProfile = null)
    {
        var file = HokusaiConfigFile.Load(ConfigPath);
        file.Profiles[profile] = new HokusaiProfile { ApiKey = key, ApiUrl = url };
        file.DefaultProfile = defaultProfile ?? file.DefaultProfile;
        file.Save(ConfigPath);
    }

    /// <summary>Sends one management call through a recording handler and returns the Authorization it carried and the URL.</summary>
    private async Task<(string? Key, Uri Url, HokusaiKeysClient Client)> SendAsync(HokusaiKeysClientOptions options)
    {
        var recorder = new RecordingHandler();
        options.HttpMessageHandler = recorder;
        options.ConfigFilePath ??= ConfigPath;
        var client = new HokusaiKeysClient(options);
        await client.GetKeyAsync("k1");
        return (recorder.Authorization, recorder.Uri!, client);
    }

    [Fact]
    public async Task The_argument_wins_over_everything()
    {
        WriteConfig();
        Environment.SetEnvironmentVariable("HOKUSAI_API_KEY", "from-env");
        Environment.SetEnvironmentVariable("HOKUSAI_API_URL", "http://env.example");
        HokusaiKeys.Setup(apiKey: "from-setup", apiUrl: "http://setup.example");
        var (key, url, client) = await SendAsync(new HokusaiKeysClientOptions { ApiKey = "from-argument", Endpoint = new Uri("http://arg.example") });
        Assert.Equal("from-argument", key);
        Assert.Equal("arg.example", url.Host);
        Assert.Equal(SettingSource.Argument, client.Settings.KeySource);
        Assert.Equal(SettingSource.Argument, client.Settings.UrlSource);
    }

    [Fact]
    public async Task Setup_comes_second()
    {
        WriteConfig();
        Environment.SetEnvironmentVariable("HOKUSAI_API_KEY", "from-env");
        Environment.SetEnvironmentVariable("HOKUSAI_API_URL", "http://env.example");
        HokusaiKeys.Setup(apiKey: "from-setup", apiUrl: "http://setup.example");
        var (key, url, client) = await SendAsync(new HokusaiKeysClientOptions());
        Assert.Equal("from-setup", key);
        Assert.Equal("setup.example", url.Host);
        Assert.Equal(SettingSource.Setup, client.Settings.KeySource);
    }

    [Fact]
    public async Task The_environment_comes_third()
    {
        WriteConfig();
        Environment.SetEnvironmentVariable("HOKUSAI_API_KEY", "from-env");
        Environment.SetEnvironmentVariable("HOKUSAI_API_URL", "http://env.example");
        var (key, url, client) = await SendAsync(new HokusaiKeysClientOptions());
        Assert.Equal("from-env", key);
        Assert.Equal("env.example", url.Host);
        Assert.Equal(SettingSource.Environment, client.Settings.KeySource);
    }

    [Fact]
    public async Task The_config_file_comes_fourth()
    {
        WriteConfig();
        var (key, url, client) = await SendAsync(new HokusaiKeysClientOptions());
        Assert.Equal("from-file", key);
        Assert.Equal("file.example", url.Host);
        Assert.Equal(SettingSource.ConfigFile, client.Settings.KeySource);
    }

    [Fact]
    public async Task The_config_file_path_can_come_from_HOKUSAI_CONFIG_and_profiles_are_chosen()
    {
        WriteConfig(key: "from-default-profile");
        WriteConfig(key: "from-work-profile", url: "http://work.example", profile: "work");
        Environment.SetEnvironmentVariable("HOKUSAI_CONFIG", ConfigPath);

        var recorder = new RecordingHandler();
        using (var client = new HokusaiKeysClient(new HokusaiKeysClientOptions { HttpMessageHandler = recorder }))
            await client.GetKeyAsync("k1");
        Assert.Equal("from-default-profile", recorder.Authorization);

        using (var client = new HokusaiKeysClient(new HokusaiKeysClientOptions { HttpMessageHandler = recorder, Profile = "work" }))
            await client.GetKeyAsync("k1");
        Assert.Equal("from-work-profile", recorder.Authorization);
        Assert.Equal("work.example", recorder.Uri!.Host);

        Environment.SetEnvironmentVariable("HOKUSAI_PROFILE", "work");
        using (var client = new HokusaiKeysClient(new HokusaiKeysClientOptions { HttpMessageHandler = recorder }))
            await client.GetKeyAsync("k1");
        Assert.Equal("from-work-profile", recorder.Authorization);
    }

    [Fact]
    public async Task Without_anything_there_is_no_key_and_the_default_url()
    {
        var (key, url, client) = await SendAsync(new HokusaiKeysClientOptions());
        Assert.Null(key);
        Assert.Equal(new Uri("http://localhost:7071/api/keys/k1"), url);
        Assert.False(client.HasApiKey);
        Assert.Equal(SettingSource.Default, client.Settings.UrlSource);
    }

    [Fact]
    public async Task An_injected_environment_replaces_the_process_environment()
    {
        Environment.SetEnvironmentVariable("HOKUSAI_API_KEY", "from-process-env");
        var env = new Dictionary<string, string> { ["HOKUSAI_API_KEY"] = "from-injected-env" };
        var (key, _, _) = await SendAsync(new HokusaiKeysClientOptions { EnvironmentVariables = n => env.GetValueOrDefault(n) });
        Assert.Equal("from-injected-env", key);
    }

    [Fact]
    public async Task The_delegating_handler_adds_the_resolved_key_to_any_HttpClient()
    {
        Environment.SetEnvironmentVariable("HOKUSAI_API_KEY", "from-env-for-handler");
        var recorder = new RecordingHandler();
        var services = new ServiceCollection();
        services.AddHttpClient("downstream", c => c.BaseAddress = new Uri("http://downstream.example"))
            .AddHokusaiApiKey()
            .ConfigurePrimaryHttpMessageHandler(() => recorder);
        await using var provider = services.BuildServiceProvider();
        var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient("downstream");
        await http.GetAsync("/anything");
        Assert.Equal("from-env-for-handler", recorder.Authorization);
    }

    [Fact]
    public void Config_file_is_written_with_mode_0600()
    {
        WriteConfig();
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ConfigPath));
        var reloaded = HokusaiConfigFile.Load(ConfigPath);
        Assert.Equal("http://file.example", reloaded.Profiles["default"].ApiUrl);
        Assert.DoesNotContain("from-file", reloaded.Profiles["default"].ToString());
    }

    public void Dispose()
    {
        HokusaiKeys.Reset();
        Environment.SetEnvironmentVariable("HOKUSAI_API_KEY", _savedKey);
        Environment.SetEnvironmentVariable("HOKUSAI_API_URL", _savedUrl);
        Environment.SetEnvironmentVariable("HOKUSAI_PROFILE", _savedProfile);
        Environment.SetEnvironmentVariable("HOKUSAI_CONFIG", _savedConfig);
        try { Directory.Delete(_dir, recursive: true); } catch (DirectoryNotFoundException) { }
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public string? Authorization { get; private set; }
        public Uri? Uri { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Authorization = request.Headers.Authorization?.Parameter;
            Uri = request.RequestUri;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("""{"id":"k1","name":"n","owner":"o","environment":"live","prefix":"hk_live_k1","status":"active","scopes":[],"rateLimit":null,"allowedIps":[],"metadata":{},"createdAt":"2026-01-01T00:00:00Z"}""",
                    System.Text.Encoding.UTF8, "application/json"),
            });
        }
    }
}
