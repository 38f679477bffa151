namespace Hokusai.Keys.Api.Models;

public sealed record KeyListResponse(IReadOnlyList<KeyResource> Items, string? NextCursor);
