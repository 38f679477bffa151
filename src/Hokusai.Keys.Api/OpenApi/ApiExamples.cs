using Hokusai.Keys.Api.Http;
using Hokusai.Keys.Api.Models;
using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Api.OpenApi;

/// <summary>
/// The examples of the OpenAPI document, built from the wire models so they have the shape the server writes. The
/// plaintext example fails the key checksum: it is no key, and secret scanners that check the checksum skip it.
/// </summary>
public static class ApiExamples
{
    public const string KeyId = "Ab12cD34eF56gH78";
    public const string NewKeyId = "Zx98yW76vU54tS32";
    public const string Plaintext = "hk_live_" + NewKeyId + "EXAMPLEnotArealSECRETexample000000";

    private static readonly DateTimeOffset Created = new(2026, 1, 15, 9, 30, 0, TimeSpan.Zero);

    public static KeyResource Key { get; } = new(
        KeyId, "Billing service", "acme", KeyEnvironmentNames.Live, "hk_live_Ab12", KeyStatusNames.Active, ["billing:read", "billing:write"],
        new RateLimitPolicy(100, 60), new QuotaPolicy(100_000, QuotaPolicy.Month), ["10.0.0.0/8"], new Dictionary<string, string> { ["team"] = "payments" },
        Created, Created.AddDays(365), null, Created.AddDays(3), null, null, KeyLeakPolicyNames.Revoke, null);

    public static KeyResource CreatedKey { get; } = Key with { Id = NewKeyId, Prefix = "hk_live_Zx98", LastUsedAt = null, Key = Plaintext };

    public static object CreateRequest { get; } = new
    {
        name = "Billing service",
        owner = "acme",
        environment = KeyEnvironmentNames.Live,
        scopes = new[] { "billing:read", "billing:write" },
        rateLimit = new RateLimitPolicy(100, 60),
        quota = new QuotaPolicy(100_000, QuotaPolicy.Month),
        allowedIps = new[] { "10.0.0.0/8" },
        expiresInSeconds = 31_536_000,
        metadata = new Dictionary<string, string> { ["team"] = "payments" },
    };

    public static object UpdateRequest { get; } = new { name = "Billing service (EU)", rateLimit = (object?)null, metadata = new { team = "payments-eu" } };

    public static object RotateRequest { get; } = new { gracePeriodSeconds = 3600 };

    public static object VerifyRequest { get; } = new { key = Plaintext, ip = "203.0.113.7", requiredScopes = new[] { "billing:read" }, cost = 1 };

    public static VerifyResponse Verified { get; } = new(true, ErrorCodes.Valid)
    {
        Key = new VerifiedKey(KeyId)
        {
            Owner = "acme",
            Name = "Billing service",
            Environment = KeyEnvironmentNames.Live,
            Scopes = ["billing:read", "billing:write"],
            Metadata = new Dictionary<string, string> { ["team"] = "payments" },
            ExpiresAt = Created.AddDays(365),
        },
        RateLimit = new LimitView(100, 99, 1),
        Quota = new LimitView(100_000, 99_999, 1_468_800),
    };

    public static KeyListResponse KeyList { get; } = new([Key], "eyJvIjoiYWNtZSJ9");

    public static RotateKeyResponse Rotated { get; } = new(
        CreatedKey with { RotatedFromId = KeyId, ExpiresAt = Key.ExpiresAt },
        Key with { RotatedToId = NewKeyId, ExpiresAt = Created.AddDays(3).AddHours(1) });

    public static KeyResource Revoked { get; } = Key with { Status = KeyStatusNames.Revoked, RevokedAt = Created.AddDays(3) };

    public static KeyResource Suspended { get; } = Key with { Status = KeyStatusNames.Suspended, SuspendedAt = Created.AddDays(3) };

    public static KeyEventListResponse Events { get; } = new(
        [
            new KeyEventResource("0194a3b2c1d07e8f9a0b1c2d3e4f5a6b", KeyEventTypes.Updated, KeyId, Created.AddDays(2),
                new KeyEventActor("Qr45sT67uV89wX01", "acme", "203.0.113.7"), new Dictionary<string, string> { ["fields"] = "name,rateLimit" }),
            new KeyEventResource("0194a3b2c1d07e8f9a0b1c2d3e4f5a6a", KeyEventTypes.Created, KeyId, Created,
                new KeyEventActor("Qr45sT67uV89wX01", "acme", "203.0.113.7"), new Dictionary<string, string>()),
        ],
        null);

    public static KeyUsageResponse Usage { get; } = new(KeyId, "hour",
    [
        new UsageBucketResource(Created, 120, 117, new Dictionary<string, long> { [ErrorCodes.RateLimited] = 3 }, 117, 4),
        new UsageBucketResource(Created.AddHours(1), 0, 0, new Dictionary<string, long>(), 0, 0),
    ]);

    public static KeyChangeListResponse KeyChanges { get; } = new(
        [
            new KeyChangeResource(KeyId, KeyEventTypes.Revoked, Created.AddDays(3)),
            new KeyChangeResource(NewKeyId, KeyEventTypes.Updated, Created.AddDays(3).AddSeconds(2)),
        ],
        new Storage.KeyChangeCursor(Created.AddDays(3).UtcTicks, [Storage.KeyChangeCursor.Tag("example")]).Encode())
    {
        Owner = "acme",
        Environment = KeyEnvironmentNames.Live,
    };

    public static object ReportLeakRequest { get; } = new { key = Plaintext, url = "https://github.com/acme/app/blob/main/.env" };

    public static object UsageReportRequest { get; } = new
    {
        id = "0f8fad5b-d9cb-469f-a165-70867728950e",
        uses = new object[] { new { keyId = KeyId, clientIp = "203.0.113.7", count = 118 }, new { keyId = KeyId, clientIp = "198.51.100.20", count = 4 } },
    };

    public static UsageReportResponse UsageReportAccepted { get; } = new("0f8fad5b-d9cb-469f-a165-70867728950e", 1, 122, 0);

    public static ReportLeakResponse LeakReported { get; } = new(PlaintextSha256, GitHubLeakVerdict.TruePositive, "revoked");

    public static object GitHubLeakReport { get; } = new[]
    {
        new { token = Plaintext, type = "hokusai_api_key", url = "https://github.com/acme/app/blob/main/.env", source = "content" },
    };

    public static GitHubLeakVerdict[] GitHubLeakVerdicts { get; } = [new(PlaintextSha256, "hokusai_api_key", GitHubLeakVerdict.TruePositive)];

    private static string PlaintextSha256 => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Plaintext)));

    public static HealthResponse Health { get; } = new("ok", new Dictionary<string, string> { ["storage"] = "ok", ["redis"] = "ok" });

    public static ProblemResponse Problem(string code, string detail) =>
        ProblemResponse.Create(ErrorCatalog.Get(code).Status, code, detail);

    public static ProblemResponse ValidationProblem { get; } = ProblemResponse.Create(400, ErrorCodes.ValidationFailed, "One or more fields are invalid.",
        new Dictionary<string, string[]> { ["name"] = ["is required (1–100 characters)"] });
}
