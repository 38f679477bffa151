namespace Hokusai.Keys.Domain;

/// <summary>
/// A stored API key. Holds the bcrypt hash of the secret, never the secret. <see cref="IsPending"/> marks a key
/// that a rotation created but has not yet linked to its predecessor: it is invisible until then.
/// </summary>
public sealed record ApiKeyRecord
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Owner { get; init; }
    public required KeyEnvironment Environment { get; init; }
    public IReadOnlyList<string> Scopes { get; init; } = [];
    public RateLimitPolicy? RateLimit { get; init; }
    public QuotaPolicy? Quota { get; init; }

    /// <summary>Whose rate-limit bucket and quota counter this key draws on: its own id, or the first key of its rotation chain.</summary>
    public string? QuotaId { get; init; }
    public IReadOnlyList<string> AllowedIps { get; init; } = [];

    /// <summary>
    /// The authority of whoever set the limits (rate limit, quota, allowed IPs, expiry): <c>[admin]</c> or that caller's
    /// scopes. Only a caller holding at least this may loosen them (<see cref="Management.KeyAuthority"/>). Keys stored
    /// before it was recorded count as set by an admin.
    /// </summary>
    public IReadOnlyList<string> LimitsAuthority { get; init; } = [Caller.AdminScope];

    /// <summary>The key id of the caller that last set the limits with that authority.</summary>
    public string? LimitsSetBy { get; init; }
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>Set while the key is suspended: it validates as SUSPENDED until resumed (unlike revocation, reversible).</summary>
    public DateTimeOffset? SuspendedAt { get; init; }

    /// <summary>
    /// The authority of whoever suspended the key, as <see cref="LimitsAuthority"/> records a limit setter's: only a
    /// caller holding at least this may resume it. A suspension stored without it counts as an admin's.
    /// </summary>
    public IReadOnlyList<string> SuspensionAuthority { get; init; } = [Caller.AdminScope];
    public DateTimeOffset? LastUsedAt { get; init; }
    public string? RotatedFromId { get; init; }
    public string? RotatedToId { get; init; }

    /// <summary>What a leak report does to this key; <see cref="KeyLeakPolicy.Notify"/> loosens protection (<see cref="Management.KeyAuthority"/>).</summary>
    public KeyLeakPolicy LeakPolicy { get; init; }

    /// <summary>When a leak of this key was first reported (a revoked leaked key has it too).</summary>
    public DateTimeOffset? LeakedAt { get; init; }
    public required string SecretHash { get; init; }
    public required string HashScheme { get; init; }
    public bool IsPending { get; init; }

    public string Prefix => ApiKeyFormat.DisplayPrefix(Environment, Id);

    public KeyStatus StatusAt(DateTimeOffset now) =>
        RevokedAt is not null ? KeyStatus.Revoked
        : ExpiresAt is { } expires && expires <= now ? KeyStatus.Expired
        : SuspendedAt is not null ? KeyStatus.Suspended
        : KeyStatus.Active;
}
