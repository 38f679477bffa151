using System.Text.Json.Serialization;

namespace Hokusai.Keys.Client.Models;

/// <summary>A quota: <see cref="Remaining"/> of <see cref="Limit"/> this period, which ends in <see cref="ResetSeconds"/>.</summary>
public sealed record QuotaState(long Limit, long Remaining, double ResetSeconds)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Period { get; init; }
}
