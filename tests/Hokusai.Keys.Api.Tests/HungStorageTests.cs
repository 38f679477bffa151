using System.Diagnostics;
using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Api.Tests;

/// <summary>A storage endpoint that accepts connections but never answers (Azurite stopped with SIGSTOP).</summary>
public sealed class HungStorageTests
{
    private const int StorageTimeoutMilliseconds = 4000;

    [Fact]
    public async Task A_hung_storage_endpoint_answers_503_with_Retry_After_within_the_configured_timeout_and_health_is_unhealthy()
    {
        using var azurite = await AzuriteInstance.StartAsync();
        var group = (await ServerGroup.CreateAsync(withRedis: false))
            .With("Hokusai:Storage:ConnectionString", azurite.ConnectionString)
            .With("Hokusai:Storage:TimeoutMilliseconds", StorageTimeoutMilliseconds.ToString());
        using var server = group.StartServer();
        var admin = server.Client(await server.CreateAdminKeyAsync());
        var (id, uncached) = await admin.CreateKeyAsync(new { name = "never read" });
        try
        {
            azurite.Freeze();

            var clock = Stopwatch.StartNew();
            var (status, body, response) = await server.Client().PostJsonAsync("/api/keys/verify", new { key = uncached });
            var elapsed = clock.Elapsed;
            Assert.Equal(503, status);
            Assert.Equal("STORAGE_UNAVAILABLE", body!["code"]!.GetValue<string>());
            Assert.NotNull(response.Headers.RetryAfter);
            // Generous for a loaded machine, yet far below the three 5 s tries the SDK defaults gave before.
            Assert.True(elapsed < TimeSpan.FromMilliseconds(StorageTimeoutMilliseconds * 2), $"verify took {elapsed.TotalMilliseconds:F0} ms");

            var (getStatus, getBody, getResponse) = await admin.GetJsonAsync($"/api/keys/{id}");
            Assert.Equal(503, getStatus);
            Assert.Equal("STORAGE_UNAVAILABLE", getBody!["code"]!.GetValue<string>());
            Assert.NotNull(getResponse.Headers.RetryAfter);

            var (healthStatus, health, healthResponse) = await server.Client().GetJsonAsync("/api/health");
            Assert.Equal(503, healthStatus);
            Assert.Equal("unhealthy", health!["status"]!.GetValue<string>());
            Assert.Equal("unavailable", health["dependencies"]!["storage"]!.GetValue<string>());
            Assert.NotNull(healthResponse.Headers.RetryAfter);
        }
        finally
        {
            azurite.Thaw();
        }
    }
}
