using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hokusai.Keys.Client;

/// <summary>What to create. Only <see cref="Name"/> is required; absent fields take the server's defaults.</summary>
public sealed class CreateKeyOptions
{
    public string? Name { get; set; }
    public string? Owner { get; set; }
    /// <summary><c>live</c> (default) or <c>test</c>.</summary>
    public string? Environment { get; set; }
    public IList<string>? Scopes { get; set; }
    public RateLimitPolicy? RateLimit { get; set; }
    public QuotaPolicy? Quota { get; set; }
    public IList<string>? AllowedIps { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public TimeSpan? ExpiresIn { get; set; }
    public IDictionary<string, string>? Metadata { get; set; }

    internal JsonObject ToJson()
    {
        var o = new JsonObject();
        if (Name is not null) o["name"] = Name;
        if (Owner is not null) o["owner"] = Owner;
        if (Environment is not null) o["environment"] = Environment;
        if (Scopes is not null) o["scopes"] = HokusaiJson.ToNode(Scopes);
        if (RateLimit is not null) o["rateLimit"] = HokusaiJson.ToNode(RateLimit);
        if (Quota is not null) o["quota"] = HokusaiJson.ToNode(Quota);
        if (AllowedIps is not null) o["allowedIps"] = HokusaiJson.ToNode(AllowedIps);
        if (ExpiresAt is not null) o["expiresAt"] = HokusaiJson.ToNode(ExpiresAt);
        if (ExpiresIn is not null) o["expiresInSeconds"] = (long)ExpiresIn.Value.TotalSeconds;
        if (Metadata is not null) o["metadata"] = HokusaiJson.ToNode(Metadata);
        return o;
    }
}

/// <summary>
/// A merge-patch of a key: only the properties you set are sent. Setting <see cref="RateLimit"/>, <see cref="Quota"/> or
/// <see cref="ExpiresAt"/> to null clears it; setting a list or the metadata to empty empties it.
/// </summary>
public sealed class UpdateKeyOptions
{
    private readonly JsonObject _patch = new();

    public string? Name { get => Get<string>("name"); set => _patch["name"] = value; }
    public IList<string>? Scopes { get => Get<List<string>>("scopes"); set => _patch["scopes"] = HokusaiJson.ToNode(value); }
    public RateLimitPolicy? RateLimit { get => Get<RateLimitPolicy>("rateLimit"); set => _patch["rateLimit"] = HokusaiJson.ToNode(value); }
    public QuotaPolicy? Quota { get => Get<QuotaPolicy>("quota"); set => _patch["quota"] = HokusaiJson.ToNode(value); }
    public IList<string>? AllowedIps { get => Get<List<string>>("allowedIps"); set => _patch["allowedIps"] = HokusaiJson.ToNode(value); }
    public DateTimeOffset? ExpiresAt { get => Get<DateTimeOffset?>("expiresAt"); set => _patch["expiresAt"] = HokusaiJson.ToNode(value); }
    public IDictionary<string, string>? Metadata { get => Get<Dictionary<string, string>>("metadata"); set => _patch["metadata"] = HokusaiJson.ToNode(value); }

    /// <summary><c>revoke</c> or <c>notify</c>; setting <c>notify</c> needs the authority of whoever set the key's limits.</summary>
    public string? LeakPolicy { get => Get<string>("leakPolicy"); set => _patch["leakPolicy"] = value; }

    /// <summary>True when nothing would be sent.</summary>
    public bool IsEmpty => _patch.Count == 0;

    internal JsonObject ToJson() => (JsonObject)_patch.DeepClone();

    private T? Get<T>(string name) =>
        _patch.TryGetPropertyValue(name, out var node) && node is not null ? node.Deserialize<T>(HokusaiJson.Options) : default;
}
