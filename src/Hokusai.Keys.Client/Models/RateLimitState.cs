using System.Text.Json.Serialization;

namespace Hokusai.Keys.Client.Models;

/// <summary>A rate-limit bucket: <see cref="Remaining"/> tokens of <see cref="Limit"/>, full again in <see cref="ResetSeconds"/>.</summary>
public sealed record RateLimitState(long Limit, long Remaining, double ResetSeconds);
