namespace Hokusai.Keys.Client.Models;

/// <summary>A page of keys, newest first; pass <see cref="NextCursor"/> back for the next page.</summary>
public sealed class ApiKeyPage
{
    /// <summary>The keys of this page.</summary>
    public IReadOnlyList<ApiKey> Items { get; init; } = [];
    /// <summary>Where the next page starts; null on the last page.</summary>
    public string? NextCursor { get; init; }
}
