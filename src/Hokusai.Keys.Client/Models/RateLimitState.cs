namespace Hokusai.Keys.Client.Models;

/// <summary>A rate-limit bucket: <see cref="Remaining"/> tokens of <see cref="Limit"/>, full again in <see cref="ResetSeconds"/>.</summary>
/// <param name="Limit">Requests in a full bucket.</param>
/// <param name="Remaining">Requests left now.</param>
/// <param name="ResetSeconds">Seconds until the bucket is full again.</param>
public sealed record RateLimitState(long Limit, long Remaining, double ResetSeconds);
