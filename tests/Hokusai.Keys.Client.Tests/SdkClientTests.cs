using Hokusai.Keys.Client.Models;

namespace Hokusai.Keys.Client.Tests;

/// <summary>The SDK against the real server.</summary>
public sealed class SdkClientTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Management_calls_round_trip()
    {
        var created = await fixture.Admin.CreateKeyAsync(new CreateKeyOptions
        {
            Name = "Sdk", Owner = "team-sdk", Environment = "test", Scopes = ["x:read"],
            RateLimit = new ApiKeyRateLimit(5, 60), ExpiresIn = TimeSpan.FromDays(1), Metadata = new Dictionary<string, string> { ["a"] = "b" },
        });
        Assert.True(Secrets.IsKey(created.Key), "create returns the plaintext");
        Assert.False(created.ToString().Contains(created.Key!, StringComparison.Ordinal), "ToString never prints the key");
        Assert.Equal("team-sdk", created.Owner);
        Assert.Equal(new ApiKeyRateLimit(5, 60), created.RateLimit);

        var fetched = await fixture.Admin.GetKeyAsync(created.Id);
        Assert.Null(fetched.Key);
        Assert.Equal("b", fetched.Metadata["a"]);

        var updated = await fixture.Admin.UpdateKeyAsync(created.Id, new UpdateKeyOptions { Name = "Sdk2", RateLimit = null });
        Assert.Equal("Sdk2", updated.Name);
        Assert.Null(updated.RateLimit);
        Assert.Equal(["x:read"], updated.Scopes);

        var all = new List<ApiKey>();
        await foreach (var k in fixture.Admin.ListAllKeysAsync(owner: "team-sdk")) all.Add(k);
        Assert.Contains(all, k => k.Id == created.Id);

        using var anonymous = fixture.NewClient(null);
        var verified = await anonymous.VerifyAsync(created.Key!, requiredScopes: ["x:read"]);
        Assert.True(verified.Valid);
        Assert.Equal(created.Id, verified.Key!.Id);
        Assert.Equal("team-sdk", verified.Key.Owner);

        var rotated = await fixture.Admin.RotateKeyAsync(created.Id, TimeSpan.FromHours(1));
        Assert.True(Secrets.IsKey(rotated.Key.Key), "rotate returns the new plaintext");
        Assert.Equal(created.Id, rotated.Previous.Id);

        var revoked = await fixture.Admin.RevokeKeyAsync(rotated.Key.Id);
        Assert.Equal("revoked", revoked.Status);
        Assert.Equal(VerifyCodes.Revoked, (await anonymous.VerifyAsync(rotated.Key.Key!)).Code);

        var events = await fixture.Admin.ListKeyEventsAsync(created.Id);
        Assert.Contains(events.Items, e => e.Type == "key.created");
    }

    [Fact]
    public async Task Problems_surface_as_HokusaiApiException_with_status_code_detail_and_errors()
    {
        var notFound = await Assert.ThrowsAsync<HokusaiApiException>(() => fixture.Admin.GetKeyAsync("missing"));
        Assert.Equal(404, notFound.Status);
        Assert.Equal("KEY_NOT_FOUND", notFound.Code);
        Assert.False(string.IsNullOrEmpty(notFound.Detail));

        var invalid = await Assert.ThrowsAsync<HokusaiApiException>(() => fixture.Admin.CreateKeyAsync(new CreateKeyOptions { Name = "", AllowedIps = ["nope"] }));
        Assert.Equal(400, invalid.Status);
        Assert.Equal("VALIDATION_FAILED", invalid.Code);
        Assert.True(invalid.Errors.ContainsKey("allowedIps"));

        using var noKey = fixture.NewClient(null);
        var unauthenticated = await Assert.ThrowsAsync<HokusaiApiException>(() => noKey.ListKeysAsync());
        Assert.Equal(401, unauthenticated.Status);

        var (_, key) = await fixture.CreateKeyAsync(new CreateKeyOptions { Name = "reader", Scopes = ["keys:read"] });
        using var reader = fixture.NewClient(key);
        var forbidden = await Assert.ThrowsAsync<HokusaiApiException>(() => reader.CreateKeyAsync(new CreateKeyOptions { Name = "x" }));
        Assert.Equal(403, forbidden.Status);
        Assert.False(Secrets.KeyPattern().IsMatch(forbidden.ToString()), "exceptions never carry a key");
    }

    [Fact]
    public async Task Unreachable_api_is_one_exception_type_too()
    {
        using var client = new HokusaiKeysClient(new HokusaiKeysClientOptions
        {
            Endpoint = new Uri("http://127.0.0.1:1"), ApiKey = "x", UseGlobalSetup = false, EnvironmentVariables = _ => null,
            ConfigFilePath = Path.Combine(Path.GetTempPath(), "hokusai-none", "config.json"),
        });
        var ex = await Assert.ThrowsAsync<HokusaiApiException>(() => client.GetKeyAsync("k"));
        Assert.Equal(0, ex.Status);
        Assert.Equal(HokusaiApiException.UnreachableCode, ex.Code);
    }
}
