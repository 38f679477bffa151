using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hokusai.Keys.Client.Models;

/// <summary>
/// A merge-patch of a key: only the properties you set are sent. Setting <see cref="RateLimit"/>, <see cref="Quota"/> or
/// <see cref="ExpiresAt"/> to null clears it; setting a list or the metadata to empty empties it.
/// </summary>
public sealed class UpdateKeyOptions
{
    private readonly JsonObject _patch = new();

    /// <summary>A new name.</summary>
    public string? Name { get => Get<string>("name"); set => _patch["name"] = value; }
    /// <summary>New scopes (replaces the list).</summary>
    public IList<string>? Scopes { get => Get<List<string>>("scopes"); set => _patch["scopes"] = HokusaiJson.ToNode(value); }
    /// <summary>A new rate limit; null removes it.</summary>
    public ApiKeyRateLimit? RateLimit { get => Get<ApiKeyRateLimit>("rateLimit"); set => _patch["rateLimit"] = HokusaiJson.ToNode(value); }
    /// <summary>A new quota; null removes it.</summary>
    public ApiKeyQuota? Quota { get => Get<ApiKeyQuota>("quota"); set => _patch["quota"] = HokusaiJson.ToNode(value); }
    /// <summary>New allowed addresses (replaces the list); empty allows any.</summary>
    public IList<string>? AllowedIps { get => Get<List<string>>("allowedIps"); set => _patch["allowedIps"] = HokusaiJson.ToNode(value); }
    /// <summary>A new expiry; null removes it.</summary>
    public DateTimeOffset? ExpiresAt { get => Get<DateTimeOffset?>("expiresAt"); set => _patch["expiresAt"] = HokusaiJson.ToNode(value); }
    /// <summary>New metadata (replaces it); empty clears it.</summary>
    public IDictionary<string, string>? Metadata { get => Get<Dictionary<string, string>>("metadata"); set => _patch["metadata"] = HokusaiJson.ToNode(value); }

    /// <summary><c>revoke</c> or <c>notify</c>; setting <c>notify</c> needs the authority of whoever set the key's limits.</summary>
    public string? LeakPolicy { get => Get<string>("leakPolicy"); set => _patch["leakPolicy"] = value; }

    /// <summary>True when nothing would be sent.</summary>
    public bool IsEmpty => _patch.Count == 0;

    internal JsonObject ToJson() => (JsonObject)_patch.DeepClone();

    private T? Get<T>(string name) =>
        _patch.TryGetPropertyValue(name, out var node) && node is not null ? node.Deserialize<T>(HokusaiJson.Options) : default;
}
