using System.Text.Encodings.Web;
using System.Text.Json;
using Azure.Data.Tables;
using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Azure.Tables;

/// <summary>
/// Row layout. Keys table: PartitionKey = key id; RowKey <c>key</c> is the key, <c>evt_{inverted ticks}_{event id}</c>
/// its audit events (same partition, so a change and its event commit in one transaction).
/// Index table: PartitionKey = owner (or <c>~all</c>), RowKey <c>{inverted ticks}_{key id}</c>, newest first.
/// </summary>
internal static class KeyEntities
{
    public const string KeyRow = "key";
    public const string EventRowPrefix = "evt_";
    public const string AllOwnersPartition = "~all";
    public const string MetaPartition = "~meta";
    public const string BootstrapRow = "bootstrap-admin";
    public const int SchemaVersion = 1;

    // Stored JSON keeps non-ASCII literal (not \uXXXX) so bounded inputs stay well under the 32K-character property limit.
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string InvertedTicks(DateTimeOffset at) => (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", System.Globalization.CultureInfo.InvariantCulture);

    public static string IndexRow(ApiKeyRecord record) => InvertedTicks(record.CreatedAt) + "_" + record.Id;

    public static string EventRow(KeyEvent evt) => EventRowPrefix + InvertedTicks(evt.OccurredAt) + "_" + evt.EventId;

    public static TableEntity ToEntity(ApiKeyRecord r) => new(r.Id, KeyRow)
    {
        ["SchemaVersion"] = SchemaVersion,
        ["Name"] = r.Name,
        ["Owner"] = r.Owner,
        ["Environment"] = r.Environment.ToWire(),
        ["Scopes"] = JsonSerializer.Serialize(r.Scopes, Json),
        ["RateLimitLimit"] = r.RateLimit?.Limit,
        ["RateLimitWindowSeconds"] = r.RateLimit?.WindowSeconds,
        ["QuotaLimit"] = r.Quota?.Limit,
        ["QuotaPeriod"] = r.Quota?.Period,
        ["QuotaId"] = r.QuotaId,
        ["AllowedIps"] = JsonSerializer.Serialize(r.AllowedIps, Json),
        ["LimitsAuthority"] = JsonSerializer.Serialize(r.LimitsAuthority, Json),
        ["LimitsSetBy"] = r.LimitsSetBy,
        ["Metadata"] = JsonSerializer.Serialize(r.Metadata, Json),
        ["CreatedAt"] = r.CreatedAt,
        ["ExpiresAt"] = r.ExpiresAt,
        ["RevokedAt"] = r.RevokedAt,
        ["SuspendedAt"] = r.SuspendedAt,
        ["SuspensionAuthority"] = r.SuspendedAt is null ? null : JsonSerializer.Serialize(r.SuspensionAuthority, Json),
        ["LastUsedAt"] = r.LastUsedAt,
        ["RotatedFromId"] = r.RotatedFromId,
        ["RotatedToId"] = r.RotatedToId,
        ["SecretHash"] = r.SecretHash,
        ["HashScheme"] = r.HashScheme,
        ["IsPending"] = r.IsPending,
        ["LeakPolicy"] = r.LeakPolicy.ToWire(),
        ["LeakedAt"] = r.LeakedAt,
    };

    public static ApiKeyRecord ToRecord(TableEntity e)
    {
        KeyEnvironmentNames.TryParse(e.GetString("Environment"), out var environment);
        var limit = e.GetInt32("RateLimitLimit");
        var window = e.GetInt32("RateLimitWindowSeconds");
        var quotaLimit = e.GetInt64("QuotaLimit");
        var quotaPeriod = e.GetString("QuotaPeriod");
        return new ApiKeyRecord
        {
            Id = e.PartitionKey,
            Name = e.GetString("Name") ?? "",
            Owner = e.GetString("Owner") ?? "",
            Environment = environment,
            Scopes = JsonSerializer.Deserialize<List<string>>(e.GetString("Scopes") ?? "[]", Json) ?? [],
            RateLimit = limit is { } l && window is { } w ? new RateLimitPolicy(l, w) : null,
            Quota = quotaLimit is { } ql && quotaPeriod is not null ? new QuotaPolicy(ql, quotaPeriod) : null,
            QuotaId = e.GetString("QuotaId"),
            AllowedIps = JsonSerializer.Deserialize<List<string>>(e.GetString("AllowedIps") ?? "[]", Json) ?? [],
            // Keys written before limits recorded their setter count as set by an admin.
            LimitsAuthority = e.GetString("LimitsAuthority") is { } authority
                ? JsonSerializer.Deserialize<List<string>>(authority, Json) ?? [Caller.AdminScope]
                : [Caller.AdminScope],
            LimitsSetBy = e.GetString("LimitsSetBy"),
            Metadata = JsonSerializer.Deserialize<Dictionary<string, string>>(e.GetString("Metadata") ?? "{}", Json) ?? [],
            CreatedAt = e.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue,
            ExpiresAt = e.GetDateTimeOffset("ExpiresAt"),
            RevokedAt = e.GetDateTimeOffset("RevokedAt"),
            SuspendedAt = e.GetDateTimeOffset("SuspendedAt"),
            SuspensionAuthority = e.GetString("SuspensionAuthority") is { } suspension
                ? JsonSerializer.Deserialize<List<string>>(suspension, Json) ?? [Caller.AdminScope]
                : [Caller.AdminScope],
            LastUsedAt = e.GetDateTimeOffset("LastUsedAt"),
            RotatedFromId = e.GetString("RotatedFromId"),
            RotatedToId = e.GetString("RotatedToId"),
            SecretHash = e.GetString("SecretHash") ?? "",
            HashScheme = e.GetString("HashScheme") ?? "",
            IsPending = e.GetBoolean("IsPending") ?? false,
            // Keys stored before leak policies existed are revoked when leaked.
            LeakPolicy = KeyLeakPolicyNames.TryParse(e.GetString("LeakPolicy"), out var leakPolicy) ? leakPolicy : KeyLeakPolicy.Revoke,
            LeakedAt = e.GetDateTimeOffset("LeakedAt"),
        };
    }

    public static TableEntity ToEntity(KeyEvent evt) => new(evt.KeyId, EventRow(evt))
    {
        ["EventId"] = evt.EventId,
        ["Type"] = evt.Type,
        ["OccurredAt"] = evt.OccurredAt,
        ["ActorKeyId"] = evt.ActorKeyId,
        ["ActorOwner"] = evt.ActorOwner,
        ["ActorIp"] = evt.ActorIp,
        ["Data"] = JsonSerializer.Serialize(evt.Data, Json),
        ["Dispatched"] = false,
    };

    public static KeyEvent ToEvent(TableEntity e) => new(
        e.GetString("EventId") ?? "",
        e.PartitionKey,
        e.GetString("Type") ?? "",
        e.GetDateTimeOffset("OccurredAt") ?? DateTimeOffset.MinValue,
        e.GetString("ActorKeyId") ?? "",
        e.GetString("ActorOwner") ?? "",
        e.GetString("ActorIp"),
        JsonSerializer.Deserialize<Dictionary<string, string>>(e.GetString("Data") ?? "{}", Json) ?? []);

    public static TableEntity IndexEntity(string partition, ApiKeyRecord record) => new(partition, IndexRow(record))
    {
        ["KeyId"] = record.Id,
    };
}
