using System.Text.Json.Serialization;

namespace Hokusai.Keys.Client.Models;

/// <summary>The key resource. <see cref="Key"/> (the plaintext) is set only in create and rotate responses.</summary>
/// <remarks>A class, not a record: its <c>ToString()</c> must never print the plaintext.</remarks>
public sealed class ApiKey
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public string Owner { get; init; } = "";
    public string Environment { get; init; } = "";
    public string Prefix { get; init; } = "";
    public string Status { get; init; } = "";
    public IReadOnlyList<string> Scopes { get; init; } = [];
    public ApiKeyRateLimit? RateLimit { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ApiKeyQuota? Quota { get; init; }
    public IReadOnlyList<string> AllowedIps { get; init; } = [];
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
    public DateTimeOffset? LastUsedAt { get; init; }
    public string? RotatedFromId { get; init; }
    public string? RotatedToId { get; init; }

    /// <summary>The plaintext key: present only in the create/rotate answer, and never retrievable again.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Key { get; init; }

    public override string ToString() => $"ApiKey {Id} ({Name}, {Status})";
}
