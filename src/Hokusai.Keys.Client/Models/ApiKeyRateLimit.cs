namespace Hokusai.Keys.Client.Models;

/// <summary>Requests per window: a token bucket of capacity <see cref="Limit"/> refilled continuously at Limit/WindowSeconds per second.</summary>
/// <param name="Limit">Requests in a full bucket.</param>
/// <param name="WindowSeconds">Seconds the bucket takes to refill from empty.</param>
public sealed record ApiKeyRateLimit(int Limit, int WindowSeconds);
