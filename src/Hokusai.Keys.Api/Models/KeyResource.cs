using System.Text.Json.Serialization;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Management;

namespace Hokusai.Keys.Api.Models;

/// <summary>The key resource. <see cref="Key"/> (the plaintext) is present only in create and rotate responses.</summary>
public sealed record KeyResource(
    string Id,
    string Name,
    string Owner,
    string Environment,
    string Prefix,
    string Status,
    IReadOnlyList<string> Scopes,
    RateLimitPolicy? RateLimit,
    QuotaPolicy? Quota,
    IReadOnlyList<string> AllowedIps,
    IReadOnlyDictionary<string, string> Metadata,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsedAt,
    string? RotatedFromId,
    string? RotatedToId,
    string LeakPolicy,
    DateTimeOffset? LeakedAt)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Key { get; init; }

    /// <summary>When the key was suspended; present only while it is.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? SuspendedAt { get; init; }

    /// <summary>
    /// The key's max-age date (creation plus the maximum age of its scope class): rotate it before then. Absent when
    /// its class has no maximum age, or the key is revoked, expired or already rotated.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? RotationDueAt { get; init; }

    /// <summary>The resource of <paramref name="r"/> at <paramref name="now"/>; <paramref name="agePolicy"/> (the defaults when absent) gives <see cref="RotationDueAt"/>.</summary>
    public static KeyResource From(ApiKeyRecord r, DateTimeOffset now, KeyAgePolicy? agePolicy = null) => new(
        r.Id, r.Name, r.Owner, r.Environment.ToWire(), r.Prefix, r.StatusAt(now).ToWire(), r.Scopes, r.RateLimit, r.Quota, r.AllowedIps,
        r.Metadata, r.CreatedAt, r.ExpiresAt, r.RevokedAt, r.LastUsedAt, r.RotatedFromId, r.RotatedToId,
        r.LeakPolicy.ToWire(), r.LeakedAt)
    {
        SuspendedAt = r.SuspendedAt,
        RotationDueAt = (agePolicy ?? KeyAgePolicy.Default).RotationDueAt(r, now),
    };
}
