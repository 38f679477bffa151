namespace Hokusai.Keys.Management;

/// <summary>
/// Settings section <c>Hokusai:Policy:MaxKeyAgeDays</c> (env: <c>Hokusai__Policy__MaxKeyAgeDays__Admin</c> …): the
/// longest a key of each scope class may live, in days; 0 is unlimited. A key's class is the most powerful scope it
/// holds (<see cref="KeyAgePolicy"/>). Scope names contain colons, which configuration reads as nesting, so the
/// classes are named properties rather than scopes.
/// </summary>
public sealed class KeyAgeOptions
{
    public const string SectionName = "Hokusai:Policy:MaxKeyAgeDays";

    /// <summary>Keys holding <c>admin</c>.</summary>
    public int Admin { get; set; } = 90;

    /// <summary>Keys holding <c>keys:write</c> or <c>keys:read</c> but not <c>admin</c>.</summary>
    [NotRequiredInAzure("Unlimited by default; set it only to limit key-management keys.")]
    public int KeyManagement { get; set; }

    /// <summary>Every other key.</summary>
    [NotRequiredInAzure("Unlimited by default; set it only to limit ordinary keys.")]
    public int Other { get; set; }
}
