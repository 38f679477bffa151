using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Hokusai.Keys.Azure.Tables;
using Hokusai.Keys.Domain;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Azure.Lifecycle;

/// <summary>
/// Key events as CloudEvents 1.0 (structured JSON) on the Service Bus topic. <c>MessageId</c> = event id, so the topic's
/// duplicate detection drops a re-send of the same event (the outbox sends at least once).
/// </summary>
public sealed class ServiceBusKeyEventPublisher : IKeyEventPublisher, IAsyncDisposable
{
    public const string Source = "/hokusai/keys";
    public const string ContentType = "application/cloudevents+json; charset=utf-8";

    private readonly ServiceBusClient? _client;
    private readonly ServiceBusSender? _sender;

    public ServiceBusKeyEventPublisher(IOptions<ServiceBusOptions> options, IOptions<StorageOptions> storage)
    {
        var settings = options.Value;
        if (!settings.IsConfigured) return;
        _client = !string.IsNullOrEmpty(settings.ConnectionString)
            ? new ServiceBusClient(settings.ConnectionString)
            : new ServiceBusClient(settings.FullyQualifiedNamespace, AzureCredentials.Create(storage.Value.ManagedIdentityClientId));
        _sender = _client.CreateSender(settings.TopicName);
    }

    /// <summary>Over a given sender (tests: a mock; the caller owns its lifetime).</summary>
    public ServiceBusKeyEventPublisher(ServiceBusSender sender) => _sender = sender;

    public bool IsEnabled => _sender is not null;

    public Task PublishAsync(KeyEvent evt, CancellationToken cancellationToken) =>
        (_sender ?? throw new InvalidOperationException("Service Bus is not configured.")).SendMessageAsync(ToMessage(evt), cancellationToken);

    public static ServiceBusMessage ToMessage(KeyEvent evt)
    {
        var body = new Dictionary<string, object?>
        {
            ["specversion"] = "1.0",
            ["id"] = evt.EventId,
            ["source"] = Source,
            ["type"] = evt.Type,
            ["subject"] = evt.KeyId,
            ["time"] = evt.OccurredAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["datacontenttype"] = "application/json",
            ["data"] = new Dictionary<string, object?>
            {
                ["keyId"] = evt.KeyId,
                ["actor"] = new Dictionary<string, string> { ["keyId"] = evt.ActorKeyId, ["owner"] = evt.ActorOwner },
                ["details"] = evt.Data,
            },
        };
        return new ServiceBusMessage(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(body)))
        {
            MessageId = evt.EventId,
            ContentType = ContentType,
            Subject = evt.Type,
            ApplicationProperties = { ["cloudEvents:type"] = evt.Type, ["cloudEvents:subject"] = evt.KeyId },
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is null) return;
        await _client.DisposeAsync();
    }
}
