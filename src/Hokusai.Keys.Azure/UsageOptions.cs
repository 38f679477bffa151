namespace Hokusai.Keys.Azure;

/// <summary>
/// Settings section <c>Hokusai:Usage</c>: the usage pipeline (verify/authorize → in-process buffer → Storage queue →
/// hourly aggregates). The queue lives in the storage account of <see cref="StorageOptions"/>.
/// </summary>
public sealed class UsageOptions
{
    public const string SectionName = "Hokusai:Usage";

    /// <summary>Full queue name; empty = <c>{TablePrefix}usage</c>, lowercased. The Functions trigger reads this setting
    /// (<c>%Hokusai:Usage:QueueName%</c>), so Azure must set it explicitly. Poison messages go to <c>{name}-poison</c>.</summary>
    public string QueueName { get; set; } = "";

    /// <summary>Events held in process before they are sent; beyond it new events are dropped and counted.</summary>
    public int BufferCapacity { get; set; } = 100_000;

    /// <summary>Longest time an event waits in the buffer before its batch is sent.</summary>
    public int FlushIntervalMilliseconds { get; set; } = 1000;

    /// <summary>Server consumer only (Functions use host.json <c>maxDequeueCount</c>): dequeues before a failing message moves to the poison queue.</summary>
    [NotRequiredInAzure("The Functions host takes maxDequeueCount from host.json; this is the standalone server's consumer.")]
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>Server consumer only: how long a message that failed stays invisible before its next attempt.</summary>
    [NotRequiredInAzure("The Functions host takes visibilityTimeout from host.json; this is the standalone server's consumer.")]
    public int RetryDelayMilliseconds { get; set; } = 10_000;

    /// <summary>Server consumer only: longest wait between polls of an empty queue.</summary>
    [NotRequiredInAzure("The Functions host polls with the queue trigger (host.json maxPollingInterval).")]
    public int MaxPollIntervalMilliseconds { get; set; } = 1000;

    /// <summary>Server consumer only: messages received and ingested together (at most 32, one table write per key for all of them).</summary>
    [NotRequiredInAzure("The Functions host takes batchSize from host.json.")]
    public int ConsumerBatchSize { get; set; } = 32;

    /// <summary>
    /// Server only: false leaves the queue to another consumer (a Functions app or a separate server instance), so the
    /// instances that answer requests do not also spend CPU on ingestion.
    /// </summary>
    [NotRequiredInAzure("The Functions host ingests with its queue trigger; this switch is for the standalone server.")]
    public bool ConsumeInProcess { get; set; } = true;

    /// <summary>
    /// Days usage rows (hourly aggregates and batch markers) are kept; the retention cleanup deletes older ones within a
    /// day of their passing it (server: lifecycle timer, <see cref="LifecycleOptions.UsageRetentionSweepSeconds"/>;
    /// Functions: an hourly timer trigger).
    /// </summary>
    [NotRequiredInAzure("The default (400 days: a year of usage plus a month) is the product's policy; set it only to change that.")]
    public int RetentionDays { get; set; } = 400;

    /// <summary>Set false to keep the usage pipeline off entirely (events are then not recorded).</summary>
    [NotRequiredInAzure("On by default; only tests and special deployments turn it off.")]
    public bool Enabled { get; set; } = true;

    public string EffectiveQueueName(StorageOptions storage) =>
        string.IsNullOrEmpty(QueueName) ? (storage.TablePrefix + "usage").ToLowerInvariant() : QueueName;
}
