namespace Hokusai.Keys.RateLimiting;

/// <summary>Settings section <c>Hokusai:RateLimiting</c>.</summary>
public sealed class RateLimitingOptions
{
    public const string SectionName = "Hokusai:RateLimiting";

    /// <summary>
    /// What to do while Redis cannot be reached: <c>local</c> (default: each instance enforces limit ÷
    /// <see cref="ExpectedInstanceCount"/> in memory), <c>fail-open</c> (allow, log, count) or <c>fail-closed</c> (503).
    /// </summary>
    public string FailureMode { get; set; } = RateLimitFailureModes.Local;

    /// <summary>Instances sharing the load, for the <c>local</c> failure mode's per-instance share.</summary>
    public int ExpectedInstanceCount { get; set; } = 2;

    /// <summary>
    /// Failed verifications (unknown, malformed, revoked or expired keys) one caller may cause per minute, per instance;
    /// behind a trusted gateway, one end user of that gateway.
    /// </summary>
    public int FailuresPerIpPerMinute { get; set; } = 100;

    /// <summary>Failed verifications all end users of one trusted gateway (<c>Hokusai:Network:TrustedGateways</c>) may cause per minute, per instance.</summary>
    public int FailuresPerGatewayPerMinute { get; set; } = 1000;

    /// <summary>
    /// bcrypt verifications one key id may cost per minute, per instance, for secrets the cache cannot vouch for; past
    /// it, such secrets are answered NOT_FOUND without hashing. Cached keys are unaffected.
    /// </summary>
    [NotRequiredInAzure("A tuning constant; the default suits Azure.")]
    public int SecretChecksPerKeyIdPerMinute { get; set; } = 10;

    /// <summary>
    /// Hash-tag groups of the limiter's Redis keys: each rotation chain's counters belong to one of this many groups, and
    /// one script call decides a batch's claims of one group. Fewer groups batch better on a cluster; more spread the
    /// limiter over more shards. Every instance must use the same value; changing it renames the keys (buckets start
    /// full once, quota counters are rebuilt from the usage aggregates). docs/rate-limits.md.
    /// </summary>
    [NotRequiredInAzure("A tuning constant; the default suits Azure Managed Redis's clustered sizes (docs/rate-limits.md).")]
    public int RedisKeyGroups { get; set; } = 16;

    /// <summary>Largest <c>cost</c> one verify call may consume.</summary>
    public int MaxCost { get; set; } = 1000;
}
