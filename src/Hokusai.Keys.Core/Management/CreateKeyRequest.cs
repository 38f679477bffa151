using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Management;

/// <summary>Body of <c>POST /api/keys</c>. Checked by <see cref="KeyRules"/>.</summary>
public sealed class CreateKeyRequest
{
    public string? Name { get; set; }
    public string? Owner { get; set; }
    public string? Environment { get; set; }
    public List<string>? Scopes { get; set; }
    public RateLimitPolicy? RateLimit { get; set; }
    public QuotaPolicy? Quota { get; set; }
    public List<string>? AllowedIps { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public long? ExpiresInSeconds { get; set; }
    public Dictionary<string, string>? Metadata { get; set; }
}
