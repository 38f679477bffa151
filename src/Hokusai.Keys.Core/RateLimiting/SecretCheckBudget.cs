using Hokusai.Keys.Domain;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.RateLimiting;

/// <summary>
/// How many bcrypt verifications one key id may cost per minute (per instance) for secrets the cache cannot vouch
/// for — wrong secrets, forged ids, first uses. Past it, such secrets are refused without hashing until the budget
/// refills, so forged keys for one id cannot turn into unbounded CPU work. A cached key's right secret is unaffected,
/// and so is a secret this instance has seen verified before (KeyValidator remembers it): only never-verified secrets wait.
/// </summary>
public sealed class SecretCheckBudget(IOptions<RateLimitingOptions> options, TimeProvider time)
{
    private readonly GcraCounters<string> _counters = new(time);
    private readonly RateLimitPolicy _perKeyId = new(Math.Max(1, options.Value.SecretChecksPerKeyIdPerMinute), 60);

    /// <summary>Spends one verification of <paramref name="keyId"/>'s budget; false when it is spent.</summary>
    public bool TrySpend(string keyId) => _counters.TryCount(keyId, _perKeyId);
}
