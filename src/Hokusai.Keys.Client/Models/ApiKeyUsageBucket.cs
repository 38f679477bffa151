namespace Hokusai.Keys.Client.Models;

/// <summary>Verifications in one hour or day starting at <see cref="Start"/>: allowed, denied by code, and their cost.</summary>
public sealed class ApiKeyUsageBucket
{
    /// <summary>UTC start of the hour or day.</summary>
    public DateTimeOffset Start { get; init; }
    /// <summary>Verifications of the key in the bucket.</summary>
    public long Total { get; init; }
    /// <summary>Those answered <c>VALID</c>.</summary>
    public long Allowed { get; init; }
    /// <summary>The refused ones, counted per code.</summary>
    public IReadOnlyDictionary<string, long> Denied { get; init; } = new Dictionary<string, long>();
    /// <summary>Cost units the allowed ones used (what the quota counts).</summary>
    public double Cost { get; init; }
}
