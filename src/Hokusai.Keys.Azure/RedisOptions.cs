namespace Hokusai.Keys.Azure;

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
