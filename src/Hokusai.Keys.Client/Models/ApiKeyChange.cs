namespace Hokusai.Keys.Client.Models;

/// <summary>A key whose validation outcome may have changed (revoked, rotated, patched, leaked, expired, …).</summary>
public sealed class ApiKeyChange
{
    /// <summary>The key's id.</summary>
    public string KeyId { get; init; } = "";
    /// <summary>The event that changed it (<c>key.revoked</c>, <c>key.updated</c>, …).</summary>
    public string Type { get; init; } = "";
    /// <summary>When it happened.</summary>
    public DateTimeOffset OccurredAt { get; init; }
}
