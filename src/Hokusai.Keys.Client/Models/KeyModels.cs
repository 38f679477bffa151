using System.Text.Json.Serialization;

namespace Hokusai.Keys.Client;

/// <summary>Requests per window: a token bucket of capacity <see cref="Limit"/> refilled continuously at Limit/WindowSeconds per second.</summary>
public sealed record RateLimitPolicy(int Limit, int WindowSeconds);

/// <summary>A usage quota: at most <see cref="Limit"/> successful verifications per <see cref="Period"/> (<c>day</c> or <c>month</c>).</summary>
public sealed record QuotaPolicy(long Limit, string Period);

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
    public RateLimitPolicy? RateLimit { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public QuotaPolicy? Quota { get; init; }
    public IReadOnlyList<string> AllowedIps { get; init; } = [];
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
    public DateTimeOffset? LastUsedAt { get; init; }
    public string? RotatedFromId { get; init; }
    public string? RotatedToId { get; init; }

    /// <summary><c>revoke</c> (a leak report revokes the key) or <c>notify</c> (it only flags it, <see cref="LeakedAt"/>).</summary>
    public string LeakPolicy { get; init; } = "revoke";

    /// <summary>When a leak of this key was first reported.</summary>
    public DateTimeOffset? LeakedAt { get; init; }

    /// <summary>The plaintext key: present only in the create/rotate answer, and never retrievable again.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Key { get; init; }

    public override string ToString() => $"ApiKey {Id} ({Name}, {Status})";
}

/// <summary>A page of keys, newest first; pass <see cref="NextCursor"/> back for the next page.</summary>
public sealed class ApiKeyPage
{
    public IReadOnlyList<ApiKey> Items { get; init; } = [];
    public string? NextCursor { get; init; }
}

/// <summary>The answer of a rotation: the new key (with its plaintext) and the previous one.</summary>
public sealed class RotatedKey
{
    public ApiKey Key { get; init; } = new();
    public ApiKey Previous { get; init; } = new();

    public override string ToString() => $"RotatedKey {Previous.Id} -> {Key.Id}";
}

public sealed record KeyEventActor(string KeyId, string Owner, string? Ip);

public sealed class KeyEvent
{
    public string Id { get; init; } = "";
    public string Type { get; init; } = "";
    public string KeyId { get; init; } = "";
    public DateTimeOffset OccurredAt { get; init; }
    public KeyEventActor Actor { get; init; } = new("", "", null);
    public IReadOnlyDictionary<string, string> Data { get; init; } = new Dictionary<string, string>();
}

public sealed class KeyEventPage
{
    public IReadOnlyList<KeyEvent> Items { get; init; } = [];
    public string? NextCursor { get; init; }
}
