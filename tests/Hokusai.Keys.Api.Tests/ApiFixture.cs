using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Api.Tests;

/// <summary>One deployment (one server instance) with an admin key, shared by a test class.</summary>
public sealed class ApiFixture : IAsyncLifetime
{
    public ServerGroup Group { get; private set; } = null!;
    public HokusaiServer Server { get; private set; } = null!;
    public string AdminKey { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Group = await ServerGroup.CreateAsync();
        Server = Group.StartServer();
        AdminKey = await Server.CreateAdminKeyAsync();
        Admin = Server.Client(AdminKey);
    }

    public Task DisposeAsync()
    {
        Server.Dispose();
        return Task.CompletedTask;
    }
}

public static class Http
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> SendJsonAsync(
        this HttpClient client, HttpMethod method, string path, object? body = null, string? rawBody = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (rawBody is not null) request.Content = new StringContent(rawBody, System.Text.Encoding.UTF8, "application/json");
        else if (body is not null) request.Content = JsonContent.Create(body, options: Json);
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    public static Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> PostJsonAsync(this HttpClient client, string path, object? body = null) =>
        client.SendJsonAsync(HttpMethod.Post, path, body);

    public static Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> GetJsonAsync(this HttpClient client, string path) =>
        client.SendJsonAsync(HttpMethod.Get, path);

    public static Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> PatchJsonAsync(this HttpClient client, string path, object body) =>
        client.SendJsonAsync(HttpMethod.Patch, path, body);

    /// <summary>Creates a key and returns (id, plaintext). The plaintext never goes to an assertion message.</summary>
    public static async Task<(string Id, string Key)> CreateKeyAsync(this HttpClient admin, object body)
    {
        var (status, json, _) = await admin.PostJsonAsync("/api/keys", body);
        Assert.True(status == 201, $"create returned {status}: {json?["code"]} {json?["detail"]} {json?["errors"]?.ToJsonString()}");
        return (json!["id"]!.GetValue<string>(), json["key"]!.GetValue<string>());
    }

    public static async Task<string> VerifyCodeAsync(this HttpClient client, string key, string? ip = null, string[]? scopes = null)
    {
        var (status, json, _) = await client.PostJsonAsync("/api/keys/verify", new { key, ip, requiredScopes = scopes });
        Assert.True(status == 200, $"verify returned {status}: {json?["code"]}");
        return json!["code"]!.GetValue<string>();
    }

    /// <summary>The response is a problem+json with this status and code (and, for a 401, a Bearer challenge).</summary>
    public static async Task AssertProblem(HttpResponseMessage response, int status, string code)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(code, body["code"]!.GetValue<string>());
        if (status == 401) Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }
}
