using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Management;

/// <summary>
/// The authority rule, in one place: no caller can give a key more than the caller holds. An admin is unrestricted.
/// Anyone else works only with keys of its own owner and environment that do not hold <c>admin</c>, changes only keys
/// whose every scope it holds, grants only scopes it holds, never gives a key limits (rate limit, quota, allowed IPs,
/// expiry) looser than its own, and loosens a key's limits only when it holds at least the authority of whoever set
/// them; it may always tighten them. A key's leak policy counts as a limit: <c>notify</c> (a leak flags the key but it keeps
/// working) is looser than <c>revoke</c>. A rotated key manages nothing (checked where callers are authenticated).
/// docs/security.md states the same rules for people.
/// </summary>
public static class KeyAuthority
{
    /// <summary>Non-admins see keys of their own owner and environment that do not hold <c>admin</c>; anything else is "not found".</summary>
    public static bool CanSee(Caller caller, ApiKeyRecord key) => CanSeeKeyOf(caller, key.Owner, key.Environment, key.Scopes.Contains(Caller.AdminScope));

    /// <summary>The same rule for a key known by its owner, environment and whether it holds <c>admin</c> (the change feed's rows).</summary>
    public static bool CanSeeKeyOf(Caller caller, string owner, KeyEnvironment environment, bool holdsAdmin) =>
        caller.IsAdmin || (owner == caller.Owner && environment == caller.Environment && !holdsAdmin);

    /// <summary>A change of <paramref name="key"/> (update, revoke, rotate) needs every scope the key holds.</summary>
    public static void EnsureMayChange(Caller caller, ApiKeyRecord key)
    {
        if (caller.IsAdmin) return;
        var missing = key.Scopes.Where(s => !caller.Scopes.Contains(s)).ToList();
        if (missing.Count > 0)
            throw InsufficientScope($"Key '{key.Id}' holds scopes this caller lacks ({string.Join(", ", missing)}); only a key holding them, or an admin, may change it.");
    }

    /// <summary>
    /// Resuming undoes a suspension, so it needs at least the authority of whoever suspended the key: a key an admin
    /// suspended stays suspended until an admin resumes it.
    /// </summary>
    public static void EnsureMayResume(Caller caller, ApiKeyRecord key)
    {
        if (!Dominates(caller, key.SuspensionAuthority))
            throw InsufficientScope($"Key '{key.Id}' was suspended by a caller with more authority; only such a caller may resume it.");
    }

    /// <summary>A caller may give a key only scopes it holds itself.</summary>
    public static void EnsureMayGrant(Caller caller, IReadOnlyList<string> scopes)
    {
        if (caller.IsAdmin) return;
        var missing = scopes.Where(s => !caller.Scopes.Contains(s)).ToList();
        if (missing.Count > 0)
            throw InsufficientScope($"A key may grant only scopes it holds itself; this caller lacks {string.Join(", ", missing)}.");
    }

    /// <summary>The environment of a new key: a non-admin creates keys of its own environment only.</summary>
    public static KeyEnvironment EnvironmentFor(Caller caller, KeyEnvironment? requested)
    {
        if (caller.IsAdmin) return requested ?? KeyEnvironment.Live;
        if (requested is { } environment && environment != caller.Environment)
            throw InsufficientScope($"A {caller.Environment.ToWire()} key may create only {caller.Environment.ToWire()} keys.");
        return caller.Environment;
    }

    /// <summary>
    /// The limits of a key a non-admin creates: each one not given is the caller's own, and none may be looser than the
    /// caller's own (a limited key cannot mint an unlimited one, nor one that outlives it).
    /// </summary>
    public static ApiKeyRecord WithinCallersLimits(Caller caller, ApiKeyRecord key)
    {
        if (caller.IsAdmin) return key;
        var bounded = key with
        {
            RateLimit = key.RateLimit ?? caller.RateLimit,
            Quota = key.Quota ?? caller.Quota,
            AllowedIps = key.AllowedIps.Count == 0 ? caller.AllowedIps : key.AllowedIps,
            ExpiresAt = key.ExpiresAt ?? caller.ExpiresAt,
        };
        EnsureWithinCallersLimits(caller, bounded, Loosened(bounded, CallersLimits(caller)));
        return bounded;
    }

    /// <summary>
    /// A rotation hands out a new plaintext of <paramref name="successor"/>: a non-admin may rotate only keys whose limits
    /// are within its own, as if it created the successor.
    /// </summary>
    public static void EnsureMayRotate(Caller caller, ApiKeyRecord successor)
    {
        if (caller.IsAdmin) return;
        EnsureWithinCallersLimits(caller, successor, Loosened(successor, CallersLimits(caller)));
    }

    /// <summary>What a key's limits record as the authority of whoever set them: <c>[admin]</c> for an admin, else the caller's scopes.</summary>
    public static IReadOnlyList<string> AuthorityOf(Caller caller) => caller.IsAdmin ? [Caller.AdminScope] : [.. caller.Scopes];

    /// <summary>True when the caller holds at least the authority recorded on a key's limits.</summary>
    public static bool Dominates(Caller caller, IReadOnlyList<string> authority) =>
        caller.IsAdmin || (!authority.Contains(Caller.AdminScope) && authority.All(caller.Scopes.Contains));

    /// <summary>True when the caller holds more than <paramref name="authority"/>: all of it and something else besides.</summary>
    public static bool Exceeds(Caller caller, IReadOnlyList<string> authority) =>
        Dominates(caller, authority) && !AuthorityOf(caller).All(authority.Contains);

    /// <summary>
    /// Checks a change of limits from <paramref name="before"/> to <paramref name="after"/> and returns
    /// <paramref name="after"/> with the authority to record. Tightening is always allowed; loosening needs at least the
    /// recorded authority and stays within the caller's own limits. The caller's authority is recorded only when it
    /// dominates the recorded one (a weaker caller that tightened must not become the one who may loosen again).
    /// </summary>
    public static ApiKeyRecord WithLimitsSetBy(Caller caller, ApiKeyRecord before, ApiKeyRecord after)
    {
        var dominates = Dominates(caller, before.LimitsAuthority);
        var loosened = Loosened(after, before);
        if (loosened.Count > 0 && !dominates)
            throw InsufficientScope($"The limits of key '{before.Id}' were set by a caller with more authority; this caller may tighten them, never loosen or remove them ({string.Join(", ", loosened)}).");
        if (!caller.IsAdmin) EnsureWithinCallersLimits(caller, after, loosened.Intersect(Loosened(after, CallersLimits(caller))).ToList());
        return dominates
            ? after with { LimitsAuthority = AuthorityOf(caller), LimitsSetBy = caller.KeyId }
            : after with { LimitsAuthority = before.LimitsAuthority, LimitsSetBy = before.LimitsSetBy };
    }

    private static void EnsureWithinCallersLimits(Caller caller, ApiKeyRecord key, IReadOnlyList<string> beyond)
    {
        if (beyond.Count > 0)
            throw InsufficientScope($"A key cannot give key '{key.Id}' limits looser than its own ({string.Join(", ", beyond)}).");
    }

    private static KeyLimits CallersLimits(Caller caller) => new(caller.RateLimit, caller.Quota, caller.AllowedIps, caller.ExpiresAt, caller.LeakPolicy);

    /// <summary>The limits of <paramref name="key"/> that allow more than <paramref name="bound"/>'s, by field name.</summary>
    private static List<string> Loosened(KeyLimits key, KeyLimits bound)
    {
        var loosened = new List<string>();
        if (!IsAtMost(key.RateLimit, bound.RateLimit)) loosened.Add("rateLimit");
        if (!IsAtMost(key.Quota, bound.Quota)) loosened.Add("quota");
        if (!IsWithin(key.AllowedIps, bound.AllowedIps)) loosened.Add("allowedIps");
        if (!IsNoLater(key.ExpiresAt, bound.ExpiresAt)) loosened.Add("expiresAt");
        if (key.LeakPolicy == KeyLeakPolicy.Notify && bound.LeakPolicy != KeyLeakPolicy.Notify) loosened.Add("leakPolicy");
        return loosened;
    }

    private static List<string> Loosened(ApiKeyRecord key, ApiKeyRecord bound) => Loosened(KeyLimits.Of(key), KeyLimits.Of(bound));

    private static List<string> Loosened(ApiKeyRecord key, KeyLimits bound) => Loosened(KeyLimits.Of(key), bound);

    /// <summary>A bucket is no looser when neither its burst nor its refill rate grows; no limit is the loosest.</summary>
    private static bool IsAtMost(RateLimitPolicy? after, RateLimitPolicy? before) =>
        before is null
        || (after is not null && after.Limit <= before.Limit && (long)after.Limit * before.WindowSeconds <= (long)before.Limit * after.WindowSeconds);

    /// <summary>
    /// A quota is no looser when it counts over the same period and allows no more. A change of period is never
    /// tighter: the new period's counter starts at zero, whatever the old one had used.
    /// </summary>
    private static bool IsAtMost(QuotaPolicy? after, QuotaPolicy? before) =>
        before is null || (after is not null && after.Period == before.Period && after.Limit <= before.Limit);

    /// <summary>Every new network inside an old one; an empty list allows every address, so it is within only an empty list.</summary>
    private static bool IsWithin(IReadOnlyList<string> after, IReadOnlyList<string> before) =>
        before.Count == 0 || (after.Count > 0 && IpAllowList.FromStored(before).Covers(IpAllowList.FromStored(after)));

    private static bool IsNoLater(DateTimeOffset? after, DateTimeOffset? before) => before is null || (after is not null && after <= before);

    private static DomainException InsufficientScope(string detail) => new(DomainErrorKind.Forbidden, ErrorCodes.InsufficientScope, detail);

    /// <summary>The limits only a caller with enough authority may loosen (the leak policy among them).</summary>
    private readonly record struct KeyLimits(
        RateLimitPolicy? RateLimit, QuotaPolicy? Quota, IReadOnlyList<string> AllowedIps, DateTimeOffset? ExpiresAt, KeyLeakPolicy LeakPolicy)
    {
        public static KeyLimits Of(ApiKeyRecord key) => new(key.RateLimit, key.Quota, key.AllowedIps, key.ExpiresAt, key.LeakPolicy);
    }
}
