using System.Text.Json.Serialization;

namespace Hokusai.Keys.Client.Models;

public sealed class ApiKeyEventPage
{
    public IReadOnlyList<ApiKeyEvent> Items { get; init; } = [];
    public string? NextCursor { get; init; }
}
