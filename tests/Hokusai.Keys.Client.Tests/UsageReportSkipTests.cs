using System.Net;
using Hokusai.Keys.Client.Models;
using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Client.Tests;

/// <summary>
/// One cached answer for a key the service key cannot see (another owner, the
/// other environment, an admin key) must not make the platform refuse, and the reporter drop, every other key's uses.
/// (Failed when the report was refused whole with 404 and the reporter dropped it as refused for good.)
/// </summary>
public sealed class UsageReportSkipTests
{
    private static readonly TimeSpan IngestionDeadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_caller_with_a_key_of_another_owner_does_not_erase_the_reported_uses_of_other_keys()
    {
        var group = await ServerGroup.CreateAsync();
        using var server = group.StartServer();
        using var admin = NewClient(server, await server.CreateAdminKeyAsync());
        var customer = await admin.CreateKeyAsync(new CreateKeyOptions { Name = "customer", Owner = "acme", Scopes = ["models:read"] });
        var attacker = await admin.CreateKeyAsync(new CreateKeyOptions { Name = "attacker", Owner = "beta", Scopes = ["models:read"] });
        var service = await admin.CreateKeyAsync(new CreateKeyOptions { Name = "edge", Owner = "acme", Scopes = [Domain.Caller.UsageReportScope] });
        await using var app = await AuthHandlerApp.StartAsync(server, o =>
        {
            o.ServiceKey = service.Key;
            o.ValidCacheDuration = TimeSpan.FromMinutes(10);
        });

        // Both answers cached, then every round of the reporter holds uses of both keys.
        for (var i = 0; i <= 50; i++)
        {
            using var own = await app.Client.SendAsync(AuthHandlerApp.Get("/me", bearer: customer.Key, peer: "203.0.113.7"));
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
            using var other = await app.Client.SendAsync(AuthHandlerApp.Get("/me", bearer: attacker.Key, peer: "198.51.100.9"));
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        }

        Assert.True(await EventuallyAsync(async () => await TotalAsync(admin, customer.Id) >= 51),
            $"the customer's 50 cached uses were not counted (total {await TotalAsync(admin, customer.Id)}, expected 1 + 50)");
    }

    private static HokusaiKeysClient NewClient(HokusaiServer server, string apiKey) => new(new HokusaiKeysClientOptions
    {
        Endpoint = server.Server.BaseAddress,
        ApiKey = apiKey,
        UseGlobalSetup = false,
        EnvironmentVariables = _ => null,
        ConfigFilePath = Path.Combine(Path.GetTempPath(), "hokusai-absent-" + Guid.NewGuid().ToString("N"), "config.json"),
        HttpMessageHandler = server.CreateCheckedHandler(),
    });

    private static async Task<long> TotalAsync(HokusaiKeysClient admin, string keyId) =>
        (await admin.GetUsageAsync(keyId)).Buckets.Sum(b => b.Total);

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow + IngestionDeadline;
        while (true)
        {
            if (await condition()) return true;
            if (DateTime.UtcNow > until) return false;
            await Task.Delay(200);
        }
    }
}
