namespace Hokusai.Keys.Usage;

/// <summary>One verify/authorize answer (any code but MALFORMED), as recorded for usage aggregates. Holds no secret.</summary>
public sealed record UsageEvent(
    string EventId,
    string KeyId,
    string Owner,
    DateTimeOffset Timestamp,
    string Code,
    string? ClientIp,
    int Cost);

/// <summary>
/// Takes usage events off the request path. <see cref="Record"/> must never block or do I/O: implementations buffer
/// in process and ship in batches; a full buffer drops the event and counts the loss.
/// </summary>
public interface IUsageRecorder
{
    void Record(UsageEvent usage);
}

/// <summary>Event ids that are unique across instances without a random draw per event: a per-process random prefix and a counter.</summary>
public static class UsageEventIds
{
    private static readonly string ProcessPrefix = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
    private static long _sequence;

    public static string Next() => string.Create(32, Interlocked.Increment(ref _sequence), static (span, n) =>
    {
        ProcessPrefix.AsSpan().CopyTo(span);
        n.TryFormat(span[16..], out _, "x16", System.Globalization.CultureInfo.InvariantCulture);
    });
}

/// <summary>Records nothing (used where no usage pipeline is configured).</summary>
public sealed class NullUsageRecorder : IUsageRecorder
{
    public void Record(UsageEvent usage)
    {
    }
}
