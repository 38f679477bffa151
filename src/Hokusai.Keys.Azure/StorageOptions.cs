namespace Hokusai.Keys.Azure;

/// <summary>
/// Settings section <c>Hokusai:Storage</c>. Locally a connection string (<c>UseDevelopmentStorage=true</c> for Azurite);
/// in Azure the service URIs with a managed identity (<see cref="ManagedIdentityClientId"/> for a user-assigned one).
/// </summary>
public sealed class StorageOptions
{
    public const string SectionName = "Hokusai:Storage";

    [NotRequiredInAzure("Azure uses the service URIs with a managed identity.")]
    public string? ConnectionString { get; set; }

    public string? TableServiceUri { get; set; }

    public string? QueueServiceUri { get; set; }

    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Prefix of every table and queue name (letters and digits), so environments or test runs can share an account.</summary>
    public string TablePrefix { get; set; } = "";

    /// <summary>
    /// Longest one storage operation may take, its retries included: a storage endpoint that hangs fails the request
    /// within this (503 + Retry-After) instead of holding it (see <see cref="StorageRetry"/>).
    /// </summary>
    [NotRequiredInAzure("The default suits Azure Storage; a tuning knob for slow networks.")]
    public int TimeoutMilliseconds { get; set; } = 5000;
}

/// <summary>
/// Settings section <c>Hokusai:Redis</c>. Neither a host name nor a connection string: in-process cache only (single instance).
/// </summary>
public sealed class RedisOptions
{
    public const string SectionName = "Hokusai:Redis";

    /// <summary>StackExchange.Redis configuration for a Redis without Entra ID, e.g. <c>localhost:6379</c>.</summary>
    [NotRequiredInAzure("Azure Managed Redis is reached by HostName and Port with an Entra ID token; a connection string would carry a password.")]
    public string? ConnectionString { get; set; }

    /// <summary>Azure Managed Redis host name (<c>name.region.redis.azure.net</c>): TLS and Entra ID sign-in with the managed
    /// identity (<see cref="ManagedIdentityClientId"/>). Takes precedence over <see cref="ConnectionString"/>.</summary>
    public string? HostName { get; set; }

    /// <summary>TLS port of the Azure Managed Redis database.</summary>
    public int Port { get; set; } = 10000;

    /// <summary>Client id of the user-assigned identity whose token signs in to Redis; empty = DefaultAzureCredential's choice.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Prefix of every Redis key and channel, so environments or test runs can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "hk";

    /// <summary>Connect/sync/async timeouts: a dead Redis must cost milliseconds, not seconds.</summary>
    public int TimeoutMilliseconds { get; set; } = 250;
}

/// <summary>Settings section <c>Hokusai:Cache</c>: how long validation results may be reused.</summary>
public sealed class CacheOptions
{
    public const string SectionName = "Hokusai:Cache";

    /// <summary>
    /// Longest in-process (L1) lifetime (each entry gets 80–100 % of it). Bounds how long a revocation made while Redis
    /// is down can go unseen elsewhere.
    /// </summary>
    public int LocalSeconds { get; set; } = 30;

    /// <summary>Longest Redis (L2) lifetime (each entry gets 80–100 % of it).</summary>
    public int SharedSeconds { get; set; } = 600;

    /// <summary>Lifetime of a "no such key" entry.</summary>
    public int NotFoundSeconds { get; set; } = 10;
}
