using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hokusai.Keys.Client.Models;

/// <summary>What to create. Only <see cref="Name"/> is required; absent fields take the server's defaults.</summary>
public sealed class CreateKeyOptions
{
    public string? Name { get; set; }
    public string? Owner { get; set; }
    /// <summary><c>live</c> (default) or <c>test</c>.</summary>
    public string? Environment { get; set; }
    public IList<string>? Scopes { get; set; }
    public ApiKeyRateLimit? RateLimit { get; set; }
    public ApiKeyQuota? Quota { get; set; }
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
