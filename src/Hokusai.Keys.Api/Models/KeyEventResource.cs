using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Api.Models;

public sealed record KeyEventResource(
    string Id,
    string Type,
    string KeyId,
    DateTimeOffset OccurredAt,
    KeyEventActor Actor,
    IReadOnlyDictionary<string, string> Data)
{
    public static KeyEventResource From(KeyEvent e) =>
        new(e.EventId, e.Type, e.KeyId, e.OccurredAt, new KeyEventActor(e.ActorKeyId, e.ActorOwner, e.ActorIp), e.Data);
}
