namespace Hokusai.Keys.RateLimiting;

/// <summary>Where a policy stands after a decision: what the RateLimit headers and the verify answer report.</summary>
public readonly record struct LimitState(long Limit, long Remaining, double ResetSeconds, long WindowSeconds);
