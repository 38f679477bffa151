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
