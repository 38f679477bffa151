namespace Hokusai.Keys.Api.Models;

/// <summary>A limit's standing: <see cref="ResetSeconds"/> is when it is whole again (bucket full, or next period).</summary>
public sealed record LimitView(long Limit, long Remaining, int ResetSeconds);
