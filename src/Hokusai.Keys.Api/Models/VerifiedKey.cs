using System.Text.Json.Serialization;

namespace Hokusai.Keys.Api.Models;

/// <summary>For a valid key every field; for a found but refused key only <see cref="Id"/> (nothing of its owner leaks).</summary>
public sealed record VerifiedKey(string Id)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Owner { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Name { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Environment { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Scopes { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>A leak of this key was reported; it opted out of automatic revocation (leakPolicy notify). Rotate it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? LeakedAt { get; init; }
}
