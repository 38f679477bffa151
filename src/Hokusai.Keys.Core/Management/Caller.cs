namespace Hokusai.Keys.Management;

/// <summary>
/// The authenticated caller of a management route, as established by the key validator. <see cref="ExpiresAt"/> is
/// the caller's own expiry: a non-admin caller cannot make a key outlive itself.
/// </summary>
public sealed record Caller(string KeyId, string Owner, IReadOnlyList<string> Scopes, string? Ip, DateTimeOffset? ExpiresAt = null)
{
    public const string AdminScope = "admin";
    public const string ReadScope = "keys:read";
    public const string WriteScope = "keys:write";

    public bool IsAdmin => Scopes.Contains(AdminScope);

    public bool CanRead => IsAdmin || Scopes.Contains(ReadScope) || Scopes.Contains(WriteScope);

    public bool CanWrite => IsAdmin || Scopes.Contains(WriteScope);

    /// <summary>Non-admins list only their own owner's keys (<see cref="KeyAuthority.CanSee"/> decides per key).</summary>
    public bool CanList(string owner) => IsAdmin || owner == Owner;

    /// <summary>The actor recorded in audit events; never the key itself.</summary>
    public static Caller System { get; } = new("system", "system", [AdminScope], null);
}
