using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Management;

/// <summary>
/// Body of <c>PATCH /api/keys/{id}</c>: merge-patch semantics. A property that is absent is left alone; present with
/// null clears it (expiresAt, rateLimit, quota) or empties it (scopes, allowedIps, metadata). Setters record presence.
/// </summary>
public sealed class UpdateKeyRequest
{
    private string? _name;
    private List<string>? _scopes;
    private RateLimitPolicy? _rateLimit;
    private QuotaPolicy? _quota;
    private List<string>? _allowedIps;
    private DateTimeOffset? _expiresAt;
    private Dictionary<string, string>? _metadata;
    private string? _leakPolicy;

    public string? Name { get => _name; set { _name = value; HasName = true; } }
    public List<string>? Scopes { get => _scopes; set { _scopes = value; HasScopes = true; } }
    public RateLimitPolicy? RateLimit { get => _rateLimit; set { _rateLimit = value; HasRateLimit = true; } }
    public QuotaPolicy? Quota { get => _quota; set { _quota = value; HasQuota = true; } }
    public List<string>? AllowedIps { get => _allowedIps; set { _allowedIps = value; HasAllowedIps = true; } }
    public DateTimeOffset? ExpiresAt { get => _expiresAt; set { _expiresAt = value; HasExpiresAt = true; } }
    public Dictionary<string, string>? Metadata { get => _metadata; set { _metadata = value; HasMetadata = true; } }

    /// <summary><c>revoke</c> (a leak report revokes the key) or <c>notify</c> (it flags the key, which keeps working): a loosening.</summary>
    public string? LeakPolicy { get => _leakPolicy; set { _leakPolicy = value; HasLeakPolicy = true; } }

    internal bool HasName { get; private set; }
    internal bool HasScopes { get; private set; }
    internal bool HasRateLimit { get; private set; }
    internal bool HasQuota { get; private set; }
    internal bool HasAllowedIps { get; private set; }
    internal bool HasExpiresAt { get; private set; }
    internal bool HasMetadata { get; private set; }
    internal bool HasLeakPolicy { get; private set; }
}
