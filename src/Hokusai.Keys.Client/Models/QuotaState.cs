using System.Text.Json.Serialization;

namespace Hokusai.Keys.Client.Models;

/// <summary>A quota: <see cref="Remaining"/> of <see cref="Limit"/> this period, which ends in <see cref="ResetSeconds"/>.</summary>
/// <param name="Limit">Cost units per period.</param>
/// <param name="Remaining">Cost units left this period.</param>
/// <param name="ResetSeconds">Seconds until the next period starts.</param>
public sealed record QuotaState(long Limit, long Remaining, double ResetSeconds)
{
    /// <summary>The quota's period: <c>day</c> or <c>month</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Period { get; init; }
}
