namespace Hokusai.Keys.Management;

/// <summary>The authenticated caller of a management route, as established by the key validator.</summary>
public sealed record Caller(string KeyId, string Owner, IReadOnlyList<string> Scopes, string? Ip)
{
    public const string AdminScope = "admin";
    public const string ReadScope = "keys:read";
    public const string WriteScope = "keys:write";

    public bool IsAdmin => Scopes.Contains(AdminScope);

    public bool CanRead => IsAdmin || Scopes.Contains(ReadScope) || Scopes.Contains(WriteScope);

    public bool CanWrite => IsAdmin || Scopes.Contains(WriteScope);

    /// <summary>Non-admins see only their own owner's keys; anything else is reported as not found.</summary>
    public bool CanSee(string owner) => IsAdmin || owner == Owner;

    /// <summary>The actor recorded in audit events; never the key itself.</summary>
    public static Caller System { get; } = new("system", "system", [AdminScope], null);
}
