using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Client.Tests;

/// <summary>A deployment of two server instances (A and B) sharing storage and Redis, with an admin client of A.</summary>
public sealed class TwoInstanceFixture : IAsyncLifetime
{
    public HokusaiServer A { get; private set; } = null!;
    public HokusaiServer B { get; private set; } = null!;
    public HokusaiKeysClient AdminA { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var group = await ServerGroup.CreateAsync();
        A = group.StartServer();
        B = group.StartServer();
        AdminA = new HokusaiKeysClient(new HokusaiKeysClientOptions
        {
            Endpoint = A.Server.BaseAddress,
            ApiKey = await A.CreateAdminKeyAsync(),
            UseGlobalSetup = false,
            EnvironmentVariables = _ => null,
            HttpMessageHandler = A.CreateCheckedHandler(),
        });
    }

    public Task DisposeAsync()
    {
        AdminA.Dispose();
        A.Dispose();
        B.Dispose();
        return Task.CompletedTask;
    }
}
