using System.Text.Json.Serialization;

namespace Hokusai.Keys.Client.Models;

/// <summary>The verified key as verify describes it: every field for a valid key, only the id for a refused one.</summary>
public sealed class VerifiedApiKey
{
    /// <summary>The key's id.</summary>
    public string Id { get; init; } = "";
    /// <summary>Who the key belongs to.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Owner { get; init; }
    /// <summary>The key's name.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Name { get; init; }
    /// <summary><c>live</c> or <c>test</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Environment { get; init; }
    /// <summary>What the key may do.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Scopes { get; init; }
    /// <summary>The key's labels.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    /// <summary>When the key stops working; null for never.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>A leak of this key was reported but its leak policy is <c>notify</c>: it still works. Rotate it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? LeakedAt { get; init; }
}
