using System.Text.Json.Serialization;

namespace Hokusai.Keys.Client.Models;

/// <summary>The key resource. <see cref="Key"/> (the plaintext) is set only in create and rotate responses.</summary>
/// <remarks>A class, not a record: its <c>ToString()</c> must never print the plaintext.</remarks>
public sealed class ApiKey
{
    /// <summary>The key's id: the 16 characters after <c>hk_live_</c>/<c>hk_test_</c>, not secret.</summary>
    public string Id { get; init; } = "";
    /// <summary>A name for people.</summary>
    public string Name { get; init; } = "";
    /// <summary>Who the key belongs to (a team, a customer, a service).</summary>
    public string Owner { get; init; } = "";
    /// <summary><c>live</c> or <c>test</c>.</summary>
    public string Environment { get; init; } = "";
    /// <summary>The key's visible start (<c>hk_live_</c> or <c>hk_test_</c> and the id's first characters), to recognise it by.</summary>
    public string Prefix { get; init; } = "";
    /// <summary><c>active</c>, <c>suspended</c>, <c>revoked</c> or <c>expired</c>.</summary>
    public string Status { get; init; } = "";
    /// <summary>What the key may do, checked by verify's <c>requiredScopes</c>.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];
    /// <summary>Requests per window; null for no rate limit.</summary>
    public ApiKeyRateLimit? RateLimit { get; init; }
    /// <summary>Verifications per day or month; null for no quota.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ApiKeyQuota? Quota { get; init; }
    /// <summary>Addresses and CIDR ranges the key is accepted from; empty for anywhere.</summary>
    public IReadOnlyList<string> AllowedIps { get; init; } = [];
    /// <summary>Free-form labels, returned by verify.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    /// <summary>When the key was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>When the key stops working; null for never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>When the key was revoked; null while it is not.</summary>
    public DateTimeOffset? RevokedAt { get; init; }
    /// <summary>When the key was suspended; null while it is not.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? SuspendedAt { get; init; }
    /// <summary>The key's max-age date (rotate it before then); null when its scope class has no maximum age, or it no longer needs rotating.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? RotationDueAt { get; init; }
    /// <summary>Around when the key was last verified (updated in the background, not on every call).</summary>
    public DateTimeOffset? LastUsedAt { get; init; }
    /// <summary><c>revoke</c> (a leak report revokes the key) or <c>notify</c> (it only flags it, <see cref="LeakedAt"/>).</summary>
    public string LeakPolicy { get; init; } = "revoke";
    /// <summary>When a leak of this key was first reported.</summary>
    public DateTimeOffset? LeakedAt { get; init; }
    /// <summary>The key this one replaced in a rotation.</summary>
    public string? RotatedFromId { get; init; }
    /// <summary>The key that replaced this one in a rotation.</summary>
    public string? RotatedToId { get; init; }

    /// <summary>The plaintext key: present only in the create/rotate answer, and never retrievable again.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Key { get; init; }

    /// <summary>Id, name and status; never the plaintext.</summary>
    public override string ToString() => $"ApiKey {Id} ({Name}, {Status})";
}
