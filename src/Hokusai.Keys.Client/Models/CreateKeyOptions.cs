using System.Text.Json.Nodes;

namespace Hokusai.Keys.Client.Models;

/// <summary>What to create. Only <see cref="Name"/> is required; absent fields take the server's defaults.</summary>
public sealed class CreateKeyOptions
{
    /// <summary>A name for people (required).</summary>
    public string? Name { get; set; }
    /// <summary>Who the key belongs to; default: the caller's owner (an admin's key without one is its own owner). Only an admin may name another.</summary>
    public string? Owner { get; set; }
    /// <summary><c>live</c> (default) or <c>test</c>.</summary>
    public string? Environment { get; set; }
    /// <summary>What the key may do.</summary>
    public IList<string>? Scopes { get; set; }
    /// <summary>Requests per window.</summary>
    public ApiKeyRateLimit? RateLimit { get; set; }
    /// <summary>Verifications per day or month.</summary>
    public ApiKeyQuota? Quota { get; set; }
    /// <summary>Addresses and CIDR ranges the key is accepted from.</summary>
    public IList<string>? AllowedIps { get; set; }
    /// <summary>When the key stops working (or <see cref="ExpiresIn"/>).</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
    /// <summary>How long the key works from now (or <see cref="ExpiresAt"/>).</summary>
    public TimeSpan? ExpiresIn { get; set; }
    /// <summary>Free-form labels, returned by verify.</summary>
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
