using Hokusai.Keys.Client.Models;
using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Client.Tests;

/// <summary>A real server process (real Azurite and Redis) for the samples to talk to, with an SDK client holding an admin key.</summary>
public sealed class SamplesFixture : IAsyncLifetime
{
    private ServerProcess? _server;
    private readonly SemaphoreSlim _yarpStart = new(1, 1);
    private (EchoUpstream Application, SampleProcess Gateway)? _yarp;

    public ServerProcess Server => _server!;
    internal string AdminKey { get; private set; } = null!;
    public HokusaiKeysClient Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var group = await ServerGroup.CreateAsync();
        using (var creator = group.StartServer()) AdminKey = await creator.CreateAdminKeyAsync();
        _server = await ServerProcess.StartAsync(group.Settings);
        Admin = new HokusaiKeysClient(new HokusaiKeysClientOptions
        {
            Endpoint = _server.BaseAddress,
            ApiKey = AdminKey,
            UseGlobalSetup = false,
            EnvironmentVariables = _ => null,
            ConfigFilePath = AbsentConfigFile(),
        });
    }

    /// <summary>samples/Gateway.Yarp in front of an echoing application, started on first use and shared by the class.</summary>
    public async Task<SampleProcess> YarpGatewayAsync()
    {
        await _yarpStart.WaitAsync();
        try
        {
            if (_yarp is null)
            {
                var application = await EchoUpstream.StartAsync();
                var gateway = await SampleProcess.StartAsync("Gateway.Yarp", new Dictionary<string, string?>
                {
                    ["Hokusai:Endpoint"] = Server.BaseAddress.ToString(),
                    ["ReverseProxy:Clusters:app:Destinations:app:Address"] = application.BaseAddress.ToString(),
                });
                _yarp = (application, gateway);
            }
            return _yarp.Value.Gateway;
        }
        finally
        {
            _yarpStart.Release();
        }
    }

    /// <summary>A config file path that does not exist, so neither the tests nor a sample read this machine's.</summary>
    public static string AbsentConfigFile() => Path.Combine(Path.GetTempPath(), "hokusai-absent-" + Guid.NewGuid().ToString("N"), "config.json");

    /// <summary>Creates a key and returns its id and plaintext (the plaintext stays inside the test).</summary>
    public async Task<(string Id, string Plaintext)> CreateKeyAsync(CreateKeyOptions options)
    {
        var key = await Admin.CreateKeyAsync(options);
        return (key.Id, key.Key!);
    }

    public async Task DisposeAsync()
    {
        if (_yarp is { } yarp)
        {
            yarp.Gateway.Dispose();
            await yarp.Application.DisposeAsync();
        }
        _yarpStart.Dispose();
        Admin?.Dispose();
        _server?.Dispose();
    }
}
