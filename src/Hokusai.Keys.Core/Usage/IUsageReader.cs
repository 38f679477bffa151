namespace Hokusai.Keys.Usage;

/// <summary>One hour of a key's verifications, as aggregated by the usage pipeline.</summary>
/// <param name="Start">UTC start of the hour.</param>
/// <param name="Denied">Count per refusal code (every code but VALID).</param>
public sealed record UsageHour(DateTimeOffset Start, long Total, long Allowed, IReadOnlyDictionary<string, long> Denied, long Cost);

/// <summary>Reads usage aggregates. Hours with no verification are absent.</summary>
public interface IUsageReader
{
    /// <summary>Hours of <paramref name="keyId"/> with <paramref name="fromHour"/> ≤ start &lt; <paramref name="toHour"/>, oldest first.</summary>
    Task<IReadOnlyList<UsageHour>> GetHoursAsync(string keyId, DateTimeOffset fromHour, DateTimeOffset toHour, CancellationToken cancellationToken);
}

/// <summary>No usage data (where no usage pipeline is configured).</summary>
public sealed class NullUsageReader : IUsageReader
{
    public Task<IReadOnlyList<UsageHour>> GetHoursAsync(string keyId, DateTimeOffset fromHour, DateTimeOffset toHour, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<UsageHour>>([]);
}
