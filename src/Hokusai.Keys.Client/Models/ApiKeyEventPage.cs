namespace Hokusai.Keys.Client.Models;

/// <summary>A page of a key's events; pass <see cref="NextCursor"/> back for the next page.</summary>
public sealed class ApiKeyEventPage
{
    /// <summary>The events of this page.</summary>
    public IReadOnlyList<ApiKeyEvent> Items { get; init; } = [];
    /// <summary>Where the next page starts; null on the last page.</summary>
    public string? NextCursor { get; init; }
}
