using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Azure.RateLimiting;

/// <summary>
/// The durable record of what a quota consumed in its current period: a Redis quota counter that is missing (Redis was
/// flushed, failed over without its data, or evicted the counter) starts from this, never from zero.
/// </summary>
internal interface IQuotaBaseline
{
    /// <summary>Cost consumed by the quota named <paramref name="limitsId"/> in the period of <paramref name="quota"/> that contains <paramref name="now"/>.</summary>
    Task<long> ConsumedAsync(string limitsId, QuotaPolicy quota, DateTimeOffset now, CancellationToken cancellationToken);
}
