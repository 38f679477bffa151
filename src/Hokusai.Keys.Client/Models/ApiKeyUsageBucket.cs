namespace Hokusai.Keys.Client.Models;

/// <summary>Verifications in one hour or day starting at <see cref="Start"/>: allowed, denied by code, and their cost.</summary>
public sealed class ApiKeyUsageBucket
{
    public DateTimeOffset Start { get; init; }
    public long Total { get; init; }
    public long Allowed { get; init; }
    public IReadOnlyDictionary<string, long> Denied { get; init; } = new Dictionary<string, long>();
    public double Cost { get; init; }
}
