using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.Azure.Tables;

/// <summary>The table clients, named with the configured prefix. Tables are created once, on start.</summary>
internal sealed class StorageTables
{
    private Task? _created;

    public StorageTables(IOptions<StorageOptions> options) : this(options, [])
    {
    }

    /// <summary>With extra pipeline policies (tests inject faults this way).</summary>
    internal StorageTables(IOptions<StorageOptions> options, IReadOnlyList<HttpPipelinePolicy> policies)
    {
        var settings = options.Value;
        var clientOptions = new TableClientOptions();
        foreach (var policy in policies) clientOptions.AddPolicy(policy, HttpPipelinePosition.PerCall);
        // Fail fast on a dead or hung endpoint: validation answers 503 rather than hanging.
        StorageRetry.Configure(clientOptions.Retry, settings);

        Service = !string.IsNullOrEmpty(settings.ConnectionString)
            ? StorageConnectionStrings.Create(() => new TableServiceClient(settings.ConnectionString, clientOptions))
            : !string.IsNullOrEmpty(settings.TableServiceUri)
                ? new TableServiceClient(new Uri(settings.TableServiceUri), AzureCredentials.Create(settings.ManagedIdentityClientId), clientOptions)
                : throw new InvalidOperationException($"Set {StorageOptions.SectionName}:ConnectionString or {StorageOptions.SectionName}:TableServiceUri.");
        var prefix = settings.TablePrefix;
        Keys = Service.GetTableClient(prefix + "keys");
        Index = Service.GetTableClient(prefix + "keyindex");
        Usage = Service.GetTableClient(prefix + "keyusage");
        UsageDays = Service.GetTableClient(prefix + "keyusagedays");
        Outbox = Service.GetTableClient(prefix + "keyoutbox");
        Expiry = Service.GetTableClient(prefix + "keyexpiry");
        Changes = Service.GetTableClient(prefix + "keychanges");
    }

    public TableServiceClient Service { get; }
    public TableClient Keys { get; }
    public TableClient Index { get; }
    public TableClient Usage { get; }
    /// <summary>Which keys have usage rows on which day, for the retention cleanup (see UsageDayIndex).</summary>
    public TableClient UsageDays { get; }
    /// <summary>Pointers to audit events not yet published (one partition, see EventOutbox).</summary>
    public TableClient Outbox { get; }
    /// <summary>Keys by UTC expiry date (see ExpiryIndex).</summary>
    public TableClient Expiry { get; }
    /// <summary>The change feed: keys whose validation outcome may have changed, by hour (see KeyChangeLog).</summary>
    public TableClient Changes { get; }

    /// <summary>Creates missing tables once; a failed attempt (storage down) is retried on the next call.</summary>
    public Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        var created = _created;
        if (created is null || created.IsFaulted || created.IsCanceled) _created = created = CreateAllAsync();
        return created.WaitAsync(cancellationToken);
    }

    private async Task CreateAllAsync()
    {
        await Task.WhenAll(Keys.CreateIfNotExistsAsync(), Index.CreateIfNotExistsAsync(), Usage.CreateIfNotExistsAsync(),
            UsageDays.CreateIfNotExistsAsync(), Outbox.CreateIfNotExistsAsync(), Expiry.CreateIfNotExistsAsync(),
            Changes.CreateIfNotExistsAsync());
    }
}
