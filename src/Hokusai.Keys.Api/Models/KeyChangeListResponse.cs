using System.Text.Json.Serialization;

namespace Hokusai.Keys.Api.Models;

/// <summary>
/// Changes after the cursor, oldest first, and the cursor to ask with next. <see cref="Owner"/> and
/// <see cref="Environment"/> name the keys the feed covers for this caller (keys of that owner and environment without
/// <c>admin</c>); both are absent for an admin caller, whose feed covers every key.
/// </summary>
public sealed record KeyChangeListResponse(IReadOnlyList<KeyChangeResource> Changes, string Cursor)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Owner { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Environment { get; init; }
}
