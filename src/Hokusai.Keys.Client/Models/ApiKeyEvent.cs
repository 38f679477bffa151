using System.Text.Json.Serialization;

namespace Hokusai.Keys.Client.Models;

public sealed class ApiKeyEvent
{
    public string Id { get; init; } = "";
    public string Type { get; init; } = "";
    public string KeyId { get; init; } = "";
    public DateTimeOffset OccurredAt { get; init; }
    public ApiKeyEventActor Actor { get; init; } = new("", "", null);
    public IReadOnlyDictionary<string, string> Data { get; init; } = new Dictionary<string, string>();
}
