namespace Hokusai.Keys.Client.Models;

/// <summary>Something that happened to a key: created, updated, rotated, revoked, expired, expiring, a quota threshold.</summary>
public sealed class ApiKeyEvent
{
    /// <summary>The event's id (unique; also the Service Bus message id of its lifecycle event).</summary>
    public string Id { get; init; } = "";
    /// <summary>
    /// What happened: <c>key.created</c>, <c>key.updated</c>, <c>key.rotated</c>, <c>key.revoked</c>, <c>key.expired</c>, <c>key.expiring</c>, <c>key.quota_threshold</c>.
    /// </summary>
    public string Type { get; init; } = "";
    /// <summary>The key it happened to.</summary>
    public string KeyId { get; init; } = "";
    /// <summary>When it happened.</summary>
    public DateTimeOffset OccurredAt { get; init; }
    /// <summary>Who did it (<c>system</c> for expiry and thresholds).</summary>
    public ApiKeyEventActor Actor { get; init; } = new("", "", null);
    /// <summary>Details of the event (for an update, <c>fields</c>: the properties that changed).</summary>
    public IReadOnlyDictionary<string, string> Data { get; init; } = new Dictionary<string, string>();
}
