using System.Text.Json.Serialization;
using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Api.Models;

public sealed record KeyListResponse(IReadOnlyList<KeyResource> Items, string? NextCursor);
