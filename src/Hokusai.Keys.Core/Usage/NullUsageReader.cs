namespace Hokusai.Keys.Usage;

/// <summary>No usage data (where no usage pipeline is configured).</summary>
public sealed class NullUsageReader : IUsageReader
{
    public Task<IReadOnlyList<UsageHour>> GetHoursAsync(string keyId, DateTimeOffset fromHour, DateTimeOffset toHour, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<UsageHour>>([]);
}
