namespace Hokusai.Keys.Domain;

/// <summary>An audit/lifecycle event, stored in the same transaction as the change it describes.</summary>
public sealed record KeyEvent(
    string EventId,
    string KeyId,
    string Type,
    DateTimeOffset OccurredAt,
    string ActorKeyId,
    string ActorOwner,
    string? ActorIp,
    IReadOnlyDictionary<string, string> Data)
{
    public static KeyEvent Create(string type, string keyId, Caller actor, DateTimeOffset at, IReadOnlyDictionary<string, string>? data = null) =>
        new(Guid.CreateVersion7(at).ToString("N"), keyId, type, at, actor.KeyId, actor.Owner, actor.Ip, data ?? new Dictionary<string, string>());
}
