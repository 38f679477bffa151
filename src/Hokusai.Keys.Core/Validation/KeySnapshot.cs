using System.Text.Json.Serialization;
using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Validation;

/// <summary>
/// What the key cache holds for a key id: the public fields validation needs and the digest of the secret that bcrypt
/// verified. It never holds the plaintext or the bcrypt hash, so a cache dump cannot test guesses.
/// <see cref="Exists"/> false is a short-lived "no such key" entry.
/// </summary>
public sealed class KeySnapshot
{
    private IpAllowList? _allowList;
    private string? _scopesHeader;

    public required string Id { get; init; }
    public bool Exists { get; init; } = true;
    public string Owner { get; init; } = "";
    public string Name { get; init; } = "";
    public KeyEnvironment Environment { get; init; }
    public string[] Scopes { get; init; } = [];
    public RateLimitPolicy? RateLimit { get; init; }
    public QuotaPolicy? Quota { get; init; }
    public string QuotaId { get; init; } = "";
    public string[] AllowedIps { get; init; } = [];
    public Dictionary<string, string> Metadata { get; init; } = [];
    public DateTimeOffset? ExpiresAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
    public DateTimeOffset? SuspendedAt { get; init; }

    /// <summary>Set once the key was rotated: it still validates during its grace period but manages no keys.</summary>
    public string? RotatedToId { get; init; }
    public byte[]? VerifiedDigest { get; init; }

    /// <summary>A leak was reported for this key, which opted out of automatic revocation (it still validates).</summary>
    public DateTimeOffset? LeakedAt { get; init; }

    /// <summary>The key's own leak policy: bounds the policy it may give other keys (<see cref="Management.KeyAuthority"/>).</summary>
    public KeyLeakPolicy LeakPolicy { get; init; }

    [JsonIgnore]
    public IpAllowList AllowList => _allowList ??= IpAllowList.FromStored(AllowedIps);

    /// <summary>The scopes space-separated, as the authorize endpoint's <c>X-Hokusai-Scopes</c> header sends them (built once per cached key).</summary>
    [JsonIgnore]
    public string ScopesHeader => _scopesHeader ??= string.Join(' ', Scopes);

    /// <summary>The caller this validated key stands for.</summary>
    public Caller ToCaller(string? ip) => new(Id, Owner, Scopes, ip)
    {
        Environment = Environment,
        RateLimit = RateLimit,
        Quota = Quota,
        AllowedIps = AllowedIps,
        ExpiresAt = ExpiresAt,
        LeakPolicy = LeakPolicy,
        IsRotated = RotatedToId is not null,
    };

    public static KeySnapshot Missing(string keyId) => new() { Id = keyId, Exists = false };

    public static KeySnapshot From(ApiKeyRecord record, byte[] verifiedDigest) => new()
    {
        Id = record.Id,
        Owner = record.Owner,
        Name = record.Name,
        Environment = record.Environment,
        Scopes = [.. record.Scopes],
        RateLimit = record.RateLimit,
        Quota = record.Quota,
        QuotaId = record.QuotaId ?? record.Id,
        AllowedIps = [.. record.AllowedIps],
        Metadata = new Dictionary<string, string>(record.Metadata),
        ExpiresAt = record.ExpiresAt,
        RevokedAt = record.RevokedAt,
        SuspendedAt = record.SuspendedAt,
        RotatedToId = record.RotatedToId,
        LeakedAt = record.LeakedAt,
        LeakPolicy = record.LeakPolicy,
        VerifiedDigest = verifiedDigest,
    };
}
