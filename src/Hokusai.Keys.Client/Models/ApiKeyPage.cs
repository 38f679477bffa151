using System.Text.Json.Serialization;

namespace Hokusai.Keys.Client.Models;

/// <summary>A page of keys, newest first; pass <see cref="NextCursor"/> back for the next page.</summary>
public sealed class ApiKeyPage
{
    public IReadOnlyList<ApiKey> Items { get; init; } = [];
    public string? NextCursor { get; init; }
}
