using Azure.Storage.Queues;
using Hokusai.Keys.Azure.Tables;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Azure.Usage;

/// <summary>
/// The usage queue and its poison queue, in the storage account of <see cref="StorageOptions"/> (connection string, or
/// <see cref="StorageOptions.QueueServiceUri"/> with a managed identity). Base64 message encoding: what the Functions
/// queue trigger expects by default.
/// </summary>
public sealed class UsageQueues
{
    /// <summary>Azure's limit on a message (after base64).</summary>
    public const int MaxMessageBytes = 64 * 1024;

    private Task? _created;

    public UsageQueues(IOptions<StorageOptions> storage, IOptions<UsageOptions> usage)
    {
        var settings = storage.Value;
        var clientOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        StorageRetry.Configure(clientOptions.Retry, settings);
        var service = !string.IsNullOrEmpty(settings.ConnectionString)
            ? StorageConnectionStrings.Create(() => new QueueServiceClient(settings.ConnectionString, clientOptions))
            : !string.IsNullOrEmpty(settings.QueueServiceUri)
                ? new QueueServiceClient(new Uri(settings.QueueServiceUri), AzureCredentials.Create(settings.ManagedIdentityClientId), clientOptions)
                : throw new InvalidOperationException($"Set {StorageOptions.SectionName}:ConnectionString or {StorageOptions.SectionName}:QueueServiceUri.");
        var name = usage.Value.EffectiveQueueName(settings);
        if (!IsValidQueueName(name) || !IsValidQueueName(name + "-poison"))
            throw new InvalidOperationException($"'{name}' is not a valid queue name (3–63 lowercase letters, digits and single hyphens; '-poison' is appended for failed messages).");
        Usage = service.GetQueueClient(name);
        Poison = service.GetQueueClient(name + "-poison");
    }

    public QueueClient Usage { get; }

    public QueueClient Poison { get; }

    public Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        var created = _created;
        if (created is null || created.IsFaulted || created.IsCanceled)
            _created = created = Task.WhenAll(Usage.CreateIfNotExistsAsync(), Poison.CreateIfNotExistsAsync());
        return created.WaitAsync(cancellationToken);
    }

    public static bool IsValidQueueName(string name) =>
        name.Length is >= 3 and <= 63
        && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
        && name[0] != '-' && name[^1] != '-' && !name.Contains("--", StringComparison.Ordinal);
}
