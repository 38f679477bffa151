using System.Text.Json.Serialization;
using Hokusai.Keys.Keys;

namespace Hokusai.Keys.Api.Models;

public sealed record KeyEventListResponse(IReadOnlyList<KeyEventResource> Items, string? NextCursor);
