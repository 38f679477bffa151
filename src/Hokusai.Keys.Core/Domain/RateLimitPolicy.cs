namespace Hokusai.Keys.Domain;

/// <summary>Requests per window: a token bucket of capacity <see cref="Limit"/> refilled at Limit/WindowSeconds per second.</summary>
public sealed record RateLimitPolicy(int Limit, int WindowSeconds);
