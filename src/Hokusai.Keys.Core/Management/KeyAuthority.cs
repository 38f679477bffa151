using Hokusai.Keys.Keys;

namespace Hokusai.Keys.Management;

/// <summary>
/// The authority rule, in one place: no caller can give a key more than the caller holds. An admin is unrestricted.
/// Anyone else sees only its own owner's keys that do not hold <c>admin</c>, changes only keys whose every scope it
/// holds itself, grants only scopes it holds, and loosens a key's limits (rate limit, quota, allowed IPs, expiry)
/// only when it holds at least the authority of whoever set them; it may always tighten them.
/// docs/security.md states the same rules for people.
/// </summary>
public static class KeyAuthority
{
    /// <summary>Non-admins see keys of their own owner that do not hold <c>admin</c>; anything else is "not found".</summary>
    public static bool CanSee(Caller caller, ApiKeyRecord key) =>
        caller.IsAdmin || (key.Owner == caller.Owner && !key.Scopes.Contains(Caller.AdminScope));

    /// <summary>A change of <paramref name="key"/> (update, revoke, rotate) needs every scope the key holds.</summary>
    public static void EnsureMayChange(Caller caller, ApiKeyRecord key)
    {
        if (caller.IsAdmin) return;
        var missing = key.Scopes.Where(s => !caller.Scopes.Contains(s)).ToList();
        if (missing.Count > 0)
            throw InsufficientScope($"Key '{key.Id}' holds scopes this caller lacks ({string.Join(", ", missing)}); only a key holding them, or an admin, may change it.");
    }

    /// <summary>A caller may give a key only scopes it holds itself.</summary>
    public static void EnsureMayGrant(Caller caller, IReadOnlyList<string> scopes)
    {
        if (caller.IsAdmin) return;
        var missing = scopes.Where(s => !caller.Scopes.Contains(s)).ToList();
        if (missing.Count > 0)
            throw InsufficientScope($"A key may grant only scopes it holds itself; this caller lacks {string.Join(", ", missing)}.");
    }

    /// <summary>What a key's limits record as the authority of whoever set them: <c>[admin]</c> for an admin, else the caller's scopes.</summary>
    public static IReadOnlyList<string> AuthorityOf(Caller caller) => caller.IsAdmin ? [Caller.AdminScope] : [.. caller.Scopes];

    /// <summary>True when the caller holds at least the authority recorded on a key's limits.</summary>
    public static bool Dominates(Caller caller, IReadOnlyList<string> authority) =>
        caller.IsAdmin || (!authority.Contains(Caller.AdminScope) && authority.All(caller.Scopes.Contains));

    /// <summary>
    /// Checks a change of limits from <paramref name="before"/> to <paramref name="after"/> and returns
    /// <paramref name="after"/> with the authority to record: the caller's when it may loosen, else the one already
    /// recorded (a weaker caller that tightened must not become the one who may loosen again).
    /// </summary>
    public static ApiKeyRecord WithLimitsSetBy(Caller caller, ApiKeyRecord before, ApiKeyRecord after)
    {
        if (Dominates(caller, before.LimitsAuthority)) return after with { LimitsAuthority = AuthorityOf(caller), LimitsSetBy = caller.KeyId };
        var loosened = new List<string>();
        if (!IsAtMost(after.RateLimit, before.RateLimit)) loosened.Add("rateLimit");
        if (!IsAtMost(after.Quota, before.Quota)) loosened.Add("quota");
        if (!IsWithin(after.AllowedIps, before.AllowedIps)) loosened.Add("allowedIps");
        if (!IsNoLater(after.ExpiresAt, before.ExpiresAt)) loosened.Add("expiresAt");
        if (loosened.Count > 0)
            throw InsufficientScope($"The limits of key '{before.Id}' were set by a caller with more authority; this caller may tighten them, never loosen or remove them ({string.Join(", ", loosened)}).");
        return after with { LimitsAuthority = before.LimitsAuthority, LimitsSetBy = before.LimitsSetBy };
    }

    /// <summary>A key a non-admin creates without an expiry expires with its creator.</summary>
    public static DateTimeOffset? DefaultExpiry(Caller caller) => caller.IsAdmin ? null : caller.ExpiresAt;

    /// <summary>A non-admin cannot make a key outlive itself: no later expiry than its own, and none only if it has none.</summary>
    public static DateTimeOffset? EnsureNotOutliving(Caller caller, DateTimeOffset? expiresAt)
    {
        if (caller.IsAdmin || caller.ExpiresAt is not { } own || (expiresAt is { } at && at <= own)) return expiresAt;
        throw InsufficientScope($"This caller's key expires at {own:O}; it cannot give a key a later expiry, or none.");
    }

    /// <summary>A bucket is no looser when neither its burst nor its refill rate grows; no limit is the loosest.</summary>
    private static bool IsAtMost(RateLimitPolicy? after, RateLimitPolicy? before) =>
        before is null
        || (after is not null && after.Limit <= before.Limit && (long)after.Limit * before.WindowSeconds <= (long)before.Limit * after.WindowSeconds);

    /// <summary>
    /// A quota is no looser when it allows no more in any UTC day or month: same period and no larger, a month no larger
    /// than the day's limit, or a day whose 31 days fit in the month's limit.
    /// </summary>
    private static bool IsAtMost(QuotaPolicy? after, QuotaPolicy? before) =>
        before is null
        || (after is not null && ((after.Period == before.Period || after.Period == QuotaPolicy.Month)
            ? after.Limit <= before.Limit
            : after.Limit * 31 <= before.Limit));

    /// <summary>Every new network inside an old one; an empty list allows every address, so it is within only an empty list.</summary>
    private static bool IsWithin(IReadOnlyList<string> after, IReadOnlyList<string> before) =>
        before.Count == 0 || (after.Count > 0 && IpAllowList.FromStored(before).Covers(IpAllowList.FromStored(after)));

    private static bool IsNoLater(DateTimeOffset? after, DateTimeOffset? before) => before is null || (after is not null && after <= before);

    private static DomainException InsufficientScope(string detail) => new(DomainErrorKind.Forbidden, ErrorCodes.InsufficientScope, detail);
}
