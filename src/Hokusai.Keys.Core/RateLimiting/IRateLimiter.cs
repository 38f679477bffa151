namespace Hokusai.Keys.RateLimiting;

/// <summary>Decides, atomically across instances, whether a request fits its key's rate limit and quota; consumes both only when both fit.</summary>
public interface IRateLimiter
{
    ValueTask<LimitDecision> AcquireAsync(LimitRequest request, CancellationToken cancellationToken);
}
