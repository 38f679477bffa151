namespace Hokusai.Keys.Api.Models;

public sealed record KeyEventListResponse(IReadOnlyList<KeyEventResource> Items, string? NextCursor);
