using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Hokusai.Keys.Api.Handlers;
using Hokusai.Keys.Api.Http;
using Hokusai.Keys.Api.Models;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Management;
using Hokusai.Keys.Validation;
using Microsoft.OpenApi;

namespace Hokusai.Keys.Api.OpenApi;

/// <summary>
/// The field rules of the wire models, written into the generated schemas: lengths, ranges, patterns and enums come
/// from the constants the server checks (<see cref="KeyRules"/>, <see cref="ErrorCatalog"/>, the wire names of Core), so
/// the document cannot state other limits than the code. The patterns restate <see cref="KeyRules"/>'s character sets
/// as regular expressions; OpenApiSchemaRulesTests holds each to its rule.
/// </summary>
public static class ApiSchemaRules
{
    public const string KeyIdPattern = "^[0-9A-Za-z]{16}$";
    public const string KeyPattern = "^hk_(live|test)_[0-9A-Za-z]{50}$";
    public const string PrefixPattern = "^hk_(live|test)_[0-9A-Za-z]{4}$";
    public const string OwnerPattern = "^[A-Za-z0-9][A-Za-z0-9_.@:-]*$";
    public const string ScopePattern = "^[A-Za-z0-9][A-Za-z0-9:._*-]*$";
    public const string MetadataKeyPattern = "^[A-Za-z0-9_.:-]+$";

    /// <summary>No control character (<see cref="char.IsControl(char)"/>: U+0000–U+001F, U+007F–U+009F).</summary>
    public const string NoControlCharactersPattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$";

    /// <summary>
    /// A name: white space around it (the server trims it), and within it at least one character, none of them a control
    /// character.
    /// </summary>
    public const string NamePattern =
        "^\\s*[^\\s\\u0000-\\u001F\\u007F-\\u009F]([^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F])?\\s*$";

    /// <summary>The <c>X-Hokusai-Scopes</c> header: the key's scopes separated by one space (empty for none).</summary>
    public const string ScopeListPattern = "^([A-Za-z0-9][A-Za-z0-9:._*-]*( [A-Za-z0-9][A-Za-z0-9:._*-]*)*)?$";

    // Enumerations are components of their own, so a generated client has one type for each.
    public const string KeyEnvironmentSchema = "KeyEnvironment";
    public const string KeyStatusSchema = "KeyStatus";
    public const string QuotaPeriodSchema = "QuotaPeriod";
    public const string GranularitySchema = "UsageGranularity";
    public const string VerifyCodeSchema = "VerifyCode";
    public const string ProblemCodeSchema = "ProblemCode";
    public const string EventTypeSchema = "KeyEventType";

    /// <summary>The wire models, by the component name the generator gives them (their type name).</summary>
    private static readonly Type[] Models =
    [
        typeof(CreateKeyRequest), typeof(UpdateKeyRequest), typeof(RotateKeyRequest), typeof(VerifyRequest), typeof(RateLimitPolicy),
        typeof(QuotaPolicy), typeof(KeyResource), typeof(KeyListResponse), typeof(RotateKeyResponse), typeof(KeyEventResource),
        typeof(KeyEventActor), typeof(KeyEventListResponse), typeof(KeyUsageResponse), typeof(UsageBucketResource), typeof(VerifyResponse),
        typeof(VerifiedKey), typeof(LimitView), typeof(HealthResponse), typeof(ProblemResponse),
        typeof(UsageReportRequest), typeof(UsageReportRequestEntry), typeof(UsageReportResponse),
    ];

    /// <summary>Every code a problem response can carry: the catalog's codes that are not answers of verify.</summary>
    public static IReadOnlyList<string> ProblemCodes { get; } = ErrorCatalog.All.Where(e => e.Status >= 400).Select(e => e.Code).ToList();

    /// <summary>The codes of a verify answer (the others are problem responses: throttled or undecidable).</summary>
    public static IReadOnlyList<string> VerifyCodes { get; } = System.Enum.GetValues<ValidationCode>()
        .Where(c => !c.IsUnavailable() && c != ValidationCode.TooManyFailures).Select(c => c.ToWire()).ToList();

    /// <summary>Codes of refused verifications, as usage buckets count them.</summary>
    public static IReadOnlyList<string> DeniedCodes { get; } = VerifyCodes.Where(c => c != ErrorCodes.Valid).ToList();

    public static IReadOnlyList<string> Environments { get; } = [KeyEnvironmentNames.Live, KeyEnvironmentNames.Test];

    public static IReadOnlyList<string> Statuses { get; } = [KeyStatusNames.Active, KeyStatusNames.Suspended, KeyStatusNames.Revoked, KeyStatusNames.Expired];

    public static IReadOnlyList<string> QuotaPeriods { get; } = [QuotaPolicy.Day, QuotaPolicy.Month];

    public static IReadOnlyList<string> Granularities { get; } = [UsageReportService.Hour, UsageReportService.Day];

    public static IReadOnlyList<string> EventTypes { get; } = typeof(KeyEventTypes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();

    /// <summary>Writes the rules into the document's component schemas (the generator has made one per model).</summary>
    /// <param name="maxCost">The largest <c>cost</c> of a verify request (Hokusai:RateLimiting:MaxCost).</param>
    /// <param name="document">The document whose component schemas get the rules.</param>
    public static void Apply(OpenApiDocument document, int maxCost)
    {
        var schemas = document.Components?.Schemas ?? throw new InvalidOperationException("The document has no component schemas.");
        OpenApiSchema Component(string name) => (OpenApiSchema)schemas[name];
        IOpenApiSchema Ref(string name) => new OpenApiSchemaReference(name, document);

        schemas[KeyEnvironmentSchema] = Enum(Environments, "A key's environment, named in its prefix (hk_live_, hk_test_).");
        schemas[KeyStatusSchema] = Enum(Statuses, "revoked and expired keys never validate again.");
        schemas[QuotaPeriodSchema] = Enum(QuotaPeriods, "UTC calendar day or month.");
        schemas[GranularitySchema] = Enum(Granularities);
        schemas[VerifyCodeSchema] = Enum(VerifyCodes, "VALID, or the first check that failed (docs/api.md, Validation codes).");
        schemas[ProblemCodeSchema] = Enum(ProblemCodes, "A problem's machine code; ErrorCatalog (src/Hokusai.Keys.Contracts) gives each its status and title.");
        schemas[EventTypeSchema] = Enum(EventTypes);

        foreach (var model in Models)
            if (schemas.TryGetValue(model.Name, out var schema)) OmittedNullsAreAbsent((OpenApiSchema)schema, model);

        var create = Component(nameof(CreateKeyRequest));
        create.Description = "A new key. Only `name` is required; a non-admin caller's own limits apply where none are given.";
        Set(create, "name", Name(), required: true);
        Set(create, "owner", Owner("The owner (admins only; default: the caller's owner, or for an admin the new key's own id)."));
        Set(create, "environment", Ref(KeyEnvironmentSchema));
        Set(create, "scopes", Scopes());
        Set(create, "rateLimit", Ref(nameof(RateLimitPolicy)));
        Set(create, "quota", Ref(nameof(QuotaPolicy)));
        Set(create, "allowedIps", AllowedIps());
        Set(create, "expiresAt", ExpiresAt());
        Set(create, "expiresInSeconds", ExpiresInSeconds());
        Set(create, "metadata", Metadata());

        var update = Component(nameof(UpdateKeyRequest));
        update.Description = "JSON merge patch: an absent property is left alone; `null` clears rateLimit, quota and expiresAt and empties "
            + "scopes, allowedIps and metadata. `name` cannot be null.";
        Set(update, "name", Name());
        Set(update, "scopes", Nullable(Scopes()));
        Set(update, "rateLimit", Nullable(Ref(nameof(RateLimitPolicy))));
        Set(update, "quota", Nullable(Ref(nameof(QuotaPolicy))));
        Set(update, "allowedIps", Nullable(AllowedIps()));
        Set(update, "expiresAt", Nullable(ExpiresAt()));
        Set(update, "metadata", Nullable(Metadata()));

        var rotate = Component(nameof(RotateKeyRequest));
        rotate.Description = "Every property is optional; the body itself may be absent.";
        var grace = Integer(0, (long)KeyRules.MaxGracePeriod.TotalSeconds, "int64",
            "How long the old key keeps working, in seconds; 0 revokes it now.");
        grace.Default = JsonValue.Create((long)KeyRules.DefaultGracePeriod.TotalSeconds);
        Set(rotate, "gracePeriodSeconds", grace);
        Set(rotate, "expiresAt", ExpiresAt("The new key's expiry (default: the old key's)."));
        Set(rotate, "expiresInSeconds", ExpiresInSeconds());

        var verify = Component(nameof(VerifyRequest));
        Set(verify, "key", String(description: "The API key to check."), required: true);
        Set(verify, "ip", String(description: "The end user's address, for the key's allowedIps: an IPv4 (dotted decimal) or IPv6 address, no CIDR."));
        Set(verify, "requiredScopes", ArrayOf(Scope(), ValidationApi.MaxRequiredScopes, "Scopes the key must hold (exact match)."));
        Set(verify, "requiredEnvironment", Ref(KeyEnvironmentSchema));
        var cost = Integer(0, maxCost, "int32", "Units taken from the key's rate limit and quota; 0 checks without consuming.");
        cost.Default = JsonValue.Create(1);
        Set(verify, "cost", cost);

        var rate = Component(nameof(RateLimitPolicy));
        rate.Description = "A token bucket: `limit` requests per `windowSeconds`, refilled continuously.";
        Set(rate, "limit", Integer(1, KeyRules.MaxRateLimit, "int32"));
        Set(rate, "windowSeconds", Integer(1, KeyRules.MaxRateWindowSeconds, "int32"));

        var quota = Component(nameof(QuotaPolicy));
        quota.Description = "At most `limit` cost units per UTC calendar day or month.";
        Set(quota, "limit", Integer(1, KeyRules.MaxQuota, "int64"));
        Set(quota, "period", Ref(QuotaPeriodSchema));

        var key = Component(nameof(KeyResource));
        Set(key, "id", KeyId());
        Set(key, "name", Name());
        Set(key, "owner", Owner());
        Set(key, "environment", Ref(KeyEnvironmentSchema));
        Set(key, "prefix", String(PrefixPattern, description: "The key's public display prefix: environment and the first 4 characters of its id."));
        Set(key, "status", Ref(KeyStatusSchema));
        Set(key, "scopes", Scopes());
        Set(key, "allowedIps", AllowedIps());
        Set(key, "metadata", Metadata());
        Set(key, "rotatedFromId", Nullable(KeyId()));
        Set(key, "rotatedToId", Nullable(KeyId()));
        Set(key, "key", String(KeyPattern, description: "The plaintext key: only in the answers of create and rotate, and nowhere else, ever."));

        var verified = Component(nameof(VerifiedKey));
        verified.Description = "The key a verify answer is about: every field for VALID, only `id` for a key that exists but was refused.";
        Set(verified, "id", KeyId());
        Set(verified, "owner", Owner());
        Set(verified, "name", Name());
        Set(verified, "environment", Ref(KeyEnvironmentSchema));
        Set(verified, "scopes", Scopes());
        Set(verified, "metadata", Metadata());

        var verifyResponse = Component(nameof(VerifyResponse));
        Set(verifyResponse, "code", Ref(VerifyCodeSchema));
        Set(verifyResponse, "retryAfterSeconds", Integer(1, int.MaxValue, "int32", "For RATE_LIMITED and QUOTA_EXCEEDED: when a request of this cost can succeed."));

        var limit = Component(nameof(LimitView));
        Set(limit, "limit", Integer(1, KeyRules.MaxQuota, "int64"));
        Set(limit, "remaining", Integer(0, KeyRules.MaxQuota, "int64"));
        Set(limit, "resetSeconds", Integer(0, int.MaxValue, "int32", "Seconds until the limit is whole again."));

        var evt = Component(nameof(KeyEventResource));
        Set(evt, "id", String("^[0-9a-f]{32}$"));
        Set(evt, "type", Ref(EventTypeSchema));
        Set(evt, "keyId", KeyId());

        var usage = Component(nameof(KeyUsageResponse));
        Set(usage, "keyId", KeyId());
        Set(usage, "granularity", Ref(GranularitySchema));
        Set(usage, "buckets", ArrayOf(Ref(nameof(UsageBucketResource)), UsageReportService.MaxBuckets));

        var bucket = Component(nameof(UsageBucketResource));
        Set(bucket, "total", Integer(0, long.MaxValue, "int64"));
        Set(bucket, "allowed", Integer(0, long.MaxValue, "int64"));
        Set(bucket, "cost", Integer(0, long.MaxValue, "int64"));
        Set(bucket, "distinctAddresses", Integer(0, Usage.UsageHour.MaxDistinctAddresses, "int64",
            "Distinct client addresses of the hour (of a day bucket: of its busiest hour); exact up to the maximum, which means at least that many."));
        Set(bucket, "denied", new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "Refused verifications by code.",
            PropertyNames = Enum(DeniedCodes),
            AdditionalProperties = Integer(0, long.MaxValue, "int64"),
        });

        var health = Component(nameof(HealthResponse));
        Set(health, "status", Enum(["ok", "degraded", "unhealthy"], "unhealthy: storage fails (503); degraded: Redis is unavailable."));
        Set(health, "dependencies", new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["storage"] = Enum(["ok", "unavailable"]),
                ["redis"] = Enum(["ok", "unavailable", "not-configured"]),
            },
            Required = new HashSet<string> { "storage", "redis" },
            AdditionalPropertiesAllowed = false,
        });

        var problem = Component(nameof(ProblemResponse));
        problem.Description = "RFC 9457 problem details with a machine `code`; VALIDATION_FAILED adds `errors` by field.";
        Set(problem, "type", String(description: "A URI naming the problem type."));
        Set(problem, "status", Integer(400, 599, "int32"));
        Set(problem, "code", Ref(ProblemCodeSchema));

        var report = Component(nameof(UsageReportRequest));
        report.Description = $"Uses a service answered from its own cache. At most {UsageReportIntake.MaxUsesPerReport} uses in all; "
            + "a retry carries the same id and is applied once.";
        Set(report, "id", String(GuidPattern, description: "A GUID the reporter makes; the same on every retry of this report."), required: true);
        // The generator may describe the entries inline rather than as a component of their own.
        var reportEntry = schemas.TryGetValue(nameof(UsageReportRequestEntry), out var entrySchema)
            ? (OpenApiSchema)entrySchema
            : (OpenApiSchema)((OpenApiSchema)report.Properties!["uses"]).Items!;
        Set(report, "uses", ArrayOf(schemas.ContainsKey(nameof(UsageReportRequestEntry)) ? Ref(nameof(UsageReportRequestEntry)) : reportEntry, UsageReportIntake.MaxEntries),
            required: true);
        Set(reportEntry, "keyId", KeyId(), required: true);
        Set(reportEntry, "clientIp", String(description: "The client's address as the service saw it (IPv4 or IPv6); absent when unknown."));
        Set(reportEntry, "count", Integer(1, UsageReportIntake.MaxCountPerEntry, "int64", "Valid uses answered from the cache."), required: true);
        var receipt = Component(nameof(UsageReportResponse));
        Set(receipt, "id", String(GuidPattern));
        Set(receipt, "keys", Integer(0, UsageReportIntake.MaxEntries, "int32", "Distinct keys the report counted."));
        Set(receipt, "uses", Integer(0, UsageReportIntake.MaxUsesPerReport, "int64"));
        Set(receipt, "skippedKeys", Integer(0, UsageReportIntake.MaxEntries, "int32", "Distinct keys the report skipped: unknown, or not the caller's to report."));
    }

    private const string GuidPattern = "^[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}$";

    /// <summary>A property the server omits when it is null is absent or set, never null: the schema says so.</summary>
    private static void OmittedNullsAreAbsent(OpenApiSchema schema, Type model)
    {
        if (schema.Properties is null) return;
        foreach (var property in model.GetProperties())
        {
            if (property.GetCustomAttribute<JsonIgnoreAttribute>()?.Condition != JsonIgnoreCondition.WhenWritingNull) continue;
            var name = System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            if (!schema.Properties.TryGetValue(name, out var propertySchema)) continue;
            schema.Required?.Remove(name);
            if (propertySchema is OpenApiSchema { OneOf: { Count: 2 } oneOf } && oneOf.Any(s => s is OpenApiSchema { Type: JsonSchemaType.Null }))
                schema.Properties[name] = oneOf.Single(s => s is not OpenApiSchema { Type: JsonSchemaType.Null });
            else if (propertySchema is OpenApiSchema { Type: { } type } concrete)
                concrete.Type = type & ~JsonSchemaType.Null;
        }
    }

    private static void Set(OpenApiSchema schema, string property, IOpenApiSchema value, bool required = false)
    {
        if (schema.Properties is null || !schema.Properties.ContainsKey(property))
            throw new InvalidOperationException($"The generated schema has no property '{property}': the model and its rules differ.");
        schema.Properties[property] = value;
        if (required) (schema.Required ??= new HashSet<string>()).Add(property);
    }

    private static IOpenApiSchema Nullable(IOpenApiSchema schema) => schema switch
    {
        OpenApiSchema { Type: { } type } concrete => WithType(concrete, type | JsonSchemaType.Null),
        _ => new OpenApiSchema { OneOf = [new OpenApiSchema { Type = JsonSchemaType.Null }, schema] },
    };

    private static OpenApiSchema WithType(OpenApiSchema schema, JsonSchemaType type)
    {
        schema.Type = type;
        return schema;
    }

    private static OpenApiSchema String(string? pattern = null, int? minLength = null, int? maxLength = null, string? format = null, string? description = null) =>
        new() { Type = JsonSchemaType.String, Pattern = pattern, MinLength = minLength, MaxLength = maxLength, Format = format, Description = description };

    private static OpenApiSchema Integer(long minimum, long maximum, string format, string? description = null) => new()
    {
        Type = JsonSchemaType.Integer,
        Format = format,
        Minimum = minimum.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Maximum = maximum.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Description = description,
    };

    /// <summary>A reference to a component of this class (e.g. <see cref="KeyStatusSchema"/>).</summary>
    public static IOpenApiSchema Reference(OpenApiDocument document, string component) => new OpenApiSchemaReference(component, document);

    public static OpenApiSchema Enum(IEnumerable<string> values, string? description = null) => new()
    {
        Type = JsonSchemaType.String,
        Enum = values.Select(v => (JsonNode)JsonValue.Create(v)).ToList(),
        Description = description,
    };

    private static OpenApiSchema ArrayOf(IOpenApiSchema items, int maxItems, string? description = null) =>
        new() { Type = JsonSchemaType.Array, Items = items, MaxItems = maxItems, Description = description };

    public static OpenApiSchema KeyId() => String(KeyIdPattern, description: "A key's public id (16 base62 characters).");

    private static OpenApiSchema Name() =>
        String(NamePattern, 1, KeyRules.MaxNameLength, description: $"1–{KeyRules.MaxNameLength} characters once trimmed, no control characters.");

    public static OpenApiSchema Owner(string? description = null) =>
        String(OwnerPattern, 1, KeyRules.MaxOwnerLength, description: description ?? $"1–{KeyRules.MaxOwnerLength} of letters, digits and _ . @ : -, starting with a letter or digit.");

    public static OpenApiSchema Scope() =>
        String(ScopePattern, 1, KeyRules.MaxScopeLength, description: $"1–{KeyRules.MaxScopeLength} of letters, digits and : . _ * -, starting with a letter or digit.");

    private static OpenApiSchema Scopes() => ArrayOf(Scope(), KeyRules.MaxScopes, "Scopes match exactly; duplicates are dropped.");

    private static OpenApiSchema AllowedIps() => ArrayOf(
        String(description: "An IPv4 (dotted decimal) or IPv6 address, or a CIDR block of either; stored normalised."),
        IpAllowList.MaxEntries, "Addresses the key may be used from (empty: any).");

    private static OpenApiSchema ExpiresAt(string? description = null) =>
        String(format: "date-time", description: description ?? $"In the future and within {KeyRules.MaxLifetime.Days} days; not with expiresInSeconds.");

    private static OpenApiSchema ExpiresInSeconds() =>
        Integer(1, (long)KeyRules.MaxLifetime.TotalSeconds, "int64", "Lifetime from now, instead of expiresAt.");

    private static OpenApiSchema Metadata() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "Free-form string pairs returned with the key (verify answers include them).",
        MaxProperties = KeyRules.MaxMetadataEntries,
        PropertyNames = String(MetadataKeyPattern, 1, KeyRules.MaxMetadataKeyLength),
        AdditionalProperties = String(NoControlCharactersPattern, maxLength: KeyRules.MaxMetadataValueLength),
    };
}
