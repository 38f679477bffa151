namespace Hokusai.Keys.Domain;

/// <summary>
/// The authenticated caller of a management route, as established by the key validator: the caller's own key, whose
/// environment, limits and expiry bound what a non-admin caller may give other keys (<see cref="Management.KeyAuthority"/>).
/// </summary>
public sealed record Caller(string KeyId, string Owner, IReadOnlyList<string> Scopes, string? Ip)
{
    public const string AdminScope = "admin";
    public const string ReadScope = "keys:read";
    public const string WriteScope = "keys:write";
    /// <summary>Reads the change feed (<c>GET /api/keys/changes</c>): which keys' validation outcome may have changed.</summary>
    public const string WatchScope = "keys:watch";

    /// <summary>Reports the uses a service answered from its own cache (<c>POST /api/usage/report</c>).</summary>
    public const string UsageReportScope = "usage:report";

    public KeyEnvironment Environment { get; init; }
    public RateLimitPolicy? RateLimit { get; init; }
    public QuotaPolicy? Quota { get; init; }
    public IReadOnlyList<string> AllowedIps { get; init; } = [];
    public DateTimeOffset? ExpiresAt { get; init; }
    public KeyLeakPolicy LeakPolicy { get; init; }

    /// <summary>The caller's key was rotated: it still validates during its grace period, but manages nothing.</summary>
    public bool IsRotated { get; init; }

    public bool IsAdmin => Scopes.Contains(AdminScope);

    public bool CanRead => IsAdmin || Scopes.Contains(ReadScope) || Scopes.Contains(WriteScope);

    public bool CanWrite => IsAdmin || Scopes.Contains(WriteScope);

    public bool CanReportUsage => IsAdmin || Scopes.Contains(UsageReportScope) || Scopes.Contains(WatchScope);
    public bool CanWatch => IsAdmin || Scopes.Contains(WatchScope);

    /// <summary>Non-admins list only their own owner's keys (<see cref="Management.KeyAuthority.CanSee"/> decides per key).</summary>
    public bool CanList(string owner) => IsAdmin || owner == Owner;

    /// <summary>The actor recorded in audit events; never the key itself.</summary>
    public static Caller System { get; } = new("system", "system", [AdminScope], null);

    /// <summary>
    /// The actor of a leak report: whoever presented the leaked key (GitHub's scanner, or anyone holding it). Presenting
    /// the key is the proof, so it may revoke or flag that key and nothing else (<c>KeyManagementService.ReportLeakAsync</c>).
    /// </summary>
    public static Caller LeakReporter(string reporter, string? ip) => new("leak-report", reporter, [AdminScope], ip);
}
