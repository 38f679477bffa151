namespace Hokusai.Keys.Azure;

/// <summary>
/// Settings section <c>Hokusai:ServiceBus</c>: where key lifecycle events are published (CloudEvents on a topic).
/// Neither a namespace nor a connection string: events stay in the audit table only.
/// </summary>
public sealed class ServiceBusOptions
{
    public const string SectionName = "Hokusai:ServiceBus";

    /// <summary>Azure: <c>name.servicebus.windows.net</c>, with the managed identity of <see cref="StorageOptions.ManagedIdentityClientId"/>.</summary>
    public string? FullyQualifiedNamespace { get; set; }

    [NotRequiredInAzure("Azure uses FullyQualifiedNamespace with a managed identity; local auth is disabled on the namespace.")]
    public string? ConnectionString { get; set; }

    public string TopicName { get; set; } = "key-events";

    public bool IsConfigured => !string.IsNullOrEmpty(FullyQualifiedNamespace) || !string.IsNullOrEmpty(ConnectionString);
}
