using System.Text.Json.Serialization;
using Hokusai.Keys.Domain;

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

    public static KeyResource From(ApiKeyRecord r, DateTimeOffset now) => new(
        r.Id, r.Name, r.Owner, r.Environment.ToWire(), r.Prefix, r.StatusAt(now).ToWire(), r.Scopes, r.RateLimit, r.Quota, r.AllowedIps,
        r.Metadata, r.CreatedAt, r.ExpiresAt, r.RevokedAt, r.LastUsedAt, r.RotatedFromId, r.RotatedToId,
        r.LeakPolicy.ToWire(), r.LeakedAt);
}
