namespace Hokusai.Keys.Usage;

/// <summary>Reads usage aggregates. Hours with no verification are absent.</summary>
public interface IUsageReader
{
    /// <summary>Hours of <paramref name="keyId"/> with <paramref name="fromHour"/> ≤ start &lt; <paramref name="toHour"/>, oldest first.</summary>
    Task<IReadOnlyList<UsageHour>> GetHoursAsync(string keyId, DateTimeOffset fromHour, DateTimeOffset toHour, CancellationToken cancellationToken);
}
