using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Hokusai.Keys.Client.Models;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Client.Tests;

/// <summary>
/// The samples users copy (samples/) work as their comments and docs/gateways.md say, each run from its build output
/// against a real server process. Clients connect from 127.0.0.2 where an allow-list is involved.
/// </summary>
public sealed class SampleTests(SamplesFixture fx) : IClassFixture<SamplesFixture>
{
    private const string Client = "127.0.0.2";

    private Dictionary<string, string?> HokusaiEndpoint => new() { ["Hokusai:Endpoint"] = fx.Server.BaseAddress.ToString() };

    private static async Task<(int Status, JsonNode? Body, HttpResponseHeaders Headers)> SendAsync(
        Uri baseAddress, HttpMethod method, string path, string? key = null, string place = "bearer", string from = "127.0.0.1",
        IEnumerable<(string Name, string Value)>? headers = null)
    {
        using var client = LoopbackClient.From(from);
        var target = new Uri(baseAddress, key is not null && place == "query" ? $"{path}{(path.Contains('?') ? '&' : '?')}api_key={Uri.EscapeDataString(key)}" : path);
        using var request = new HttpRequestMessage(method, target);
        if (key is not null && place == "bearer") request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (key is not null && place == "header") request.Headers.Add("X-API-Key", key);
        foreach (var (name, value) in headers ?? []) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var isJson = response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true;
        return ((int)response.StatusCode, isJson && text.Length > 0 ? JsonNode.Parse(text) : null, response.Headers);
    }

    [Fact]
    public async Task The_SDK_console_sample_issues_checks_rotates_and_revokes_a_key()
    {
        var (exitCode, output) = await SampleProcess.RunAsync("SdkConsole", new Dictionary<string, string?>
        {
            ["HOKUSAI_API_URL"] = fx.Server.BaseAddress.ToString(),
            ["HOKUSAI_API_KEY"] = fx.AdminKey,
            ["HOKUSAI_CONFIG"] = SamplesFixture.AbsentConfigFile(),
        });

        // The output names ids and codes only; never print it whole in a message unless it is free of keys.
        var keyFree = !output.Contains("hk_live_", StringComparison.Ordinal) && !output.Contains("hk_test_", StringComparison.Ordinal);
        Assert.True(keyFree, "the sample printed a key");
        Assert.True(exitCode == 0, $"exit code {exitCode}: {output}");
        Assert.Contains("verify: VALID", output);
        Assert.Contains("verify of the first key: REVOKED", output);
    }

    [Fact]
    public async Task The_typed_client_sample_calls_with_the_key_its_registration_found()
    {
        var settings = new Dictionary<string, string?>
        {
            ["HOKUSAI_API_URL"] = fx.Server.BaseAddress.ToString(),
            ["HOKUSAI_API_KEY"] = fx.AdminKey,
            ["HOKUSAI_CONFIG"] = SamplesFixture.AbsentConfigFile(),
        };
        var (exitCode, output) = await SampleProcess.RunAsync("TypedClient", settings);
        Assert.True(!output.Contains("hk_live_", StringComparison.Ordinal) && !output.Contains("hk_test_", StringComparison.Ordinal), "the sample printed a key");
        Assert.True(exitCode == 0, $"exit code {exitCode}: {output}");
        Assert.Contains("with the key from Environment", output);
        Assert.Contains("listed ", output);

        // Without a key from any source the API refuses the call.
        settings["HOKUSAI_API_KEY"] = null;
        (exitCode, output) = await SampleProcess.RunAsync("TypedClient", settings);
        Assert.True(exitCode == 1, $"exit code {exitCode}: {output}");
        Assert.Contains("the API answered 401", output);
    }

    [Fact]
    public async Task The_minimal_API_sample_requires_a_valid_key_with_each_endpoint_s_scope()
    {
        using var api = await SampleProcess.StartAsync("MinimalApi", HokusaiEndpoint);
        var (readerId, reader) = await fx.CreateKeyAsync(new CreateKeyOptions { Name = "sample reader", Scopes = ["models:read"] });
        var (writerId, writer) = await fx.CreateKeyAsync(new CreateKeyOptions { Name = "sample writer", Scopes = ["models:write"] });

        Assert.Equal(200, (await SendAsync(api.BaseAddress, HttpMethod.Get, "/health")).Status);
        var anonymous = await SendAsync(api.BaseAddress, HttpMethod.Get, "/models");
        Assert.True(anonymous.Status == 401, $"status {anonymous.Status}. {api.Output}");
        Assert.Equal("MISSING_KEY", anonymous.Body?["code"]?.GetValue<string>());
        Assert.Equal(401, (await SendAsync(api.BaseAddress, HttpMethod.Get, "/models", ApiKeyFormat.Generate(KeyEnvironment.Live).Plaintext)).Status);

        var models = await SendAsync(api.BaseAddress, HttpMethod.Get, "/models", reader);
        Assert.True(models.Status == 200, $"status {models.Status}. {api.Output}");
        Assert.Equal(readerId, models.Body!["keyId"]!.GetValue<string>());
        Assert.Equal(403, (await SendAsync(api.BaseAddress, HttpMethod.Get, "/models", writer)).Status);

        var deploy = await SendAsync(api.BaseAddress, HttpMethod.Post, "/models/churn-v3/deploy", writer, "header");
        Assert.Equal(202, deploy.Status);
        Assert.Equal(writerId, deploy.Body!["requestedBy"]!.GetValue<string>());
        Assert.Equal(403, (await SendAsync(api.BaseAddress, HttpMethod.Post, "/models/churn-v3/deploy", reader)).Status);
    }

    [Fact]
    public void The_migration_guide_shows_the_migrating_sample_as_it_is()
    {
        var sample = File.ReadAllText(Path.Combine(RepoPaths.Root, "samples", "MigratingApi", "Program.cs")).ReplaceLineEndings("\n").TrimEnd() + "\n";
        Assert.Contains(sample, MarkdownCodeBlocks.Of("docs/migration.md", "csharp"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_migrating_API_sample_checks_every_key_sent_and_requires_one_only_once_enforced(bool enforced)
    {
        using var api = await SampleProcess.StartAsync("MigratingApi", new Dictionary<string, string?>(HokusaiEndpoint)
        {
            ["Hokusai:EnforceKeys"] = enforced ? "true" : "false",
        });
        var (id, key) = await fx.CreateKeyAsync(new CreateKeyOptions { Name = "migrating " + enforced });

        var withKey = await SendAsync(api.BaseAddress, HttpMethod.Get, "/models", key);
        Assert.True(withKey.Status == 200, $"status {withKey.Status}. {api.Output}");
        Assert.Equal(id, withKey.Body!["caller"]!.GetValue<string>());
        // A key that is sent is checked, before and after the switch: no silent fallback to anonymous.
        Assert.Equal(401, (await SendAsync(api.BaseAddress, HttpMethod.Get, "/models", ApiKeyFormat.Generate(KeyEnvironment.Live).Plaintext, "header")).Status);

        var anonymous = await SendAsync(api.BaseAddress, HttpMethod.Get, "/models");
        if (enforced)
        {
            Assert.Equal(401, anonymous.Status);
            Assert.Equal("MISSING_KEY", anonymous.Body?["code"]?.GetValue<string>());
        }
        else
        {
            Assert.Equal(200, anonymous.Status);
            Assert.Equal("anonymous", anonymous.Body!["caller"]!.GetValue<string>());
        }
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("header")]
    [InlineData("query")]
    public async Task The_YARP_sample_passes_a_valid_key_and_tells_the_application_who_called_but_never_the_key(string place)
    {
        var gateway = await fx.YarpGatewayAsync();
        var (id, key) = await fx.CreateKeyAsync(new CreateKeyOptions { Name = "yarp " + place, Owner = "team-yarp", Scopes = ["orders:read"] });

        var answer = await SendAsync(gateway.BaseAddress, HttpMethod.Get, "/orders/7?page=2", key, place,
            headers: [("X-Hokusai-Key-Id", "forged"), ("X-Hokusai-Owner", "forged")]);

        Assert.True(answer.Status == 200, $"status {answer.Status}. {gateway.Output}");
        Assert.Equal("/orders/7", answer.Body!["path"]!.GetValue<string>());
        Assert.Equal("?page=2", answer.Body["query"]!.GetValue<string>());
        var upstream = answer.Body["headers"]!.AsObject().ToDictionary(h => h.Key, h => h.Value!.GetValue<string>(), StringComparer.OrdinalIgnoreCase);
        Assert.Equal(id, upstream["X-Hokusai-Key-Id"]);
        Assert.Equal("team-yarp", upstream["X-Hokusai-Owner"]);
        Assert.Equal("orders:read", upstream["X-Hokusai-Scopes"]);
        // Never the value in a message: it would be the key.
        Assert.False(upstream.ContainsKey("Authorization"), "the application received the Authorization header");
        Assert.False(upstream.ContainsKey("X-API-Key"), "the application received the X-API-Key header");
    }

    [Fact]
    public async Task The_YARP_sample_refuses_missing_unknown_revoked_out_of_place_and_underprivileged_keys()
    {
        var gateway = await fx.YarpGatewayAsync();
        var (revokedId, revoked) = await fx.CreateKeyAsync(new CreateKeyOptions { Name = "yarp revoked" });
        await fx.Admin.RevokeKeyAsync(revokedId);
        var (_, clientOnly) = await fx.CreateKeyAsync(new CreateKeyOptions { Name = "yarp client", AllowedIps = [Client + "/32"] });
        var (_, elsewhere) = await fx.CreateKeyAsync(new CreateKeyOptions { Name = "yarp elsewhere", AllowedIps = ["127.0.0.1/32"] });
        var (_, orders) = await fx.CreateKeyAsync(new CreateKeyOptions { Name = "yarp orders", Scopes = ["orders:read"] });

        async Task<int> Status(string path, string? key) => (await SendAsync(gateway.BaseAddress, HttpMethod.Get, path, key, from: Client)).Status;

        Assert.Equal(401, await Status("/orders", null));
        Assert.Equal(401, await Status("/orders", ApiKeyFormat.Generate(KeyEnvironment.Live).Plaintext));
        Assert.Equal(401, await Status("/orders", revoked));
        Assert.Equal(200, await Status("/orders", clientOnly));
        Assert.Equal(403, await Status("/orders", elsewhere));
        Assert.Equal(403, await Status("/models/m1", orders));
        Assert.Equal(200, await Status("/orders", orders));
    }
}
