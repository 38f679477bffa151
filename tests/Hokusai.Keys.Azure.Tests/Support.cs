using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Messaging.ServiceBus;
using Hokusai.Keys.Azure.Lifecycle;
using Hokusai.Keys.Testing;

namespace Hokusai.Keys.Azure.Tests;

internal static class Http
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<(int Status, JsonNode? Body)> SendAsync(this HttpClient client, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body, options: Json);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    /// <summary>Creates a key; returns (id, plaintext). The plaintext never goes into an assertion message.</summary>
    public static async Task<(string Id, string Key)> CreateKeyAsync(this HttpClient admin, object body)
    {
        var (status, json) = await admin.SendAsync(HttpMethod.Post, "/api/keys", body);
        Assert.True(status == 201, $"create returned {status}: {json?["code"]}");
        return (json!["id"]!.GetValue<string>(), json["key"]!.GetValue<string>());
    }

    public static async Task<string> VerifyCodeAsync(this HttpClient client, string key, string[]? scopes = null)
    {
        var (status, json) = await client.SendAsync(HttpMethod.Post, "/api/keys/verify", new { key, requiredScopes = scopes });
        Assert.True(status == 200, $"verify returned {status}");
        return json!["code"]!.GetValue<string>();
    }

    public static async Task<List<string>> EventTypesAsync(this HttpClient admin, string id)
    {
        var (status, json) = await admin.SendAsync(HttpMethod.Get, $"/api/keys/{id}/events?limit=100");
        Assert.Equal(200, status);
        return json!["items"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()).ToList();
    }

    /// <summary>Polls until <paramref name="condition"/> holds or <paramref name="timeout"/> passes.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition()) return true;
            if (DateTime.UtcNow > until) return false;
            await Task.Delay(100);
        }
    }
}

/// <summary>A ServiceBusSender that records messages instead of sending them (the SDK's mocking seam), or fails on demand.</summary>
internal sealed class RecordingSender : ServiceBusSender
{
    public ConcurrentQueue<ServiceBusMessage> Sent { get; } = new();

    public volatile bool Fail;

    private int _attempts;

    /// <summary>Sends tried, failed ones included.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>Waits until at least <paramref name="count"/> sends were tried (a seam to wait on, not a guessed delay).</summary>
    public async Task WaitForAttemptsAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Attempts < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{Attempts} of {count} sends were tried");
            await Task.Delay(10);
        }
    }

    public override Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _attempts);
        if (Fail) throw new ServiceBusException("test: the namespace is unreachable", ServiceBusFailureReason.ServiceCommunicationProblem);
        Sent.Enqueue(message);
        return Task.CompletedTask;
    }
}

/// <summary>Fails table batch ($batch) requests while armed: before sending (nothing written) or after (written, answer lost).</summary>
public sealed class BatchFaultPolicy : HttpPipelinePolicy
{
    public enum Mode { Off, FailBeforeSend, FailAfterSend }

    public volatile Mode Armed;

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var isBatch = message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal);
        var mode = isBatch ? Armed : Mode.Off;
        if (mode == Mode.FailBeforeSend) throw new RequestFailedException(503, "test: injected fault before the batch was sent");
        await ProcessNextAsync(message, pipeline);
        if (mode == Mode.FailAfterSend) throw new RequestFailedException(503, "test: injected fault after the batch was sent");
    }
}

/// <summary>A Fact that runs only when HOKUSAI_TEST_SERVICEBUS holds a Service Bus connection string (with the topic).</summary>
internal sealed class ServiceBusFactAttribute : FactAttribute
{
    public const string Variable = "HOKUSAI_TEST_SERVICEBUS";

    public ServiceBusFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
            Skip = $"Live Service Bus test skipped: set {Variable} to a connection string (and HOKUSAI_TEST_SERVICEBUS_TOPIC, default key-events, with a subscription 'tests').";
    }
}

internal static class Fixtures
{
    public static async Task<(ServerGroup Group, HokusaiServer Server, HttpClient Admin)> StartAsync(Func<ServerGroup, ServerGroup>? configure = null,
        Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        var group = await ServerGroup.CreateAsync();
        group = configure?.Invoke(group) ?? group;
        var server = group.StartServer(services);
        var admin = server.Client(await server.CreateAdminKeyAsync());
        return (group, server, admin);
    }

    public static IKeyEventPublisher Publisher(RecordingSender sender) => new ServiceBusKeyEventPublisher(sender);
}
