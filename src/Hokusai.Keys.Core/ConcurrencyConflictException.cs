namespace Hokusai.Keys;

/// <summary>An ETag-guarded write lost a race.</summary>
public sealed class ConcurrencyConflictException(string message) : Exception(message);
