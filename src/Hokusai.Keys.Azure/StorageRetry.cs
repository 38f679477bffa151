using Azure.Core;

namespace Hokusai.Keys.Azure;

/// <summary>
/// The retry policy of every storage client (tables and queues): a few quick retries, each try with an equal share of
/// <see cref="StorageOptions.TimeoutMilliseconds"/> after the back-off, so that all tries of an operation together end
/// within that bound. Without it a hung endpoint held a request for the SDK's network timeout times its tries.
/// </summary>
internal static class StorageRetry
{
    public const int MaxRetries = 2;
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan MinTryTimeout = TimeSpan.FromMilliseconds(100);

    public static void Configure(RetryOptions retry, StorageOptions options)
    {
        retry.Mode = RetryMode.Exponential;
        retry.MaxRetries = MaxRetries;
        retry.Delay = FirstDelay;
        retry.MaxDelay = MaxDelay;
        retry.NetworkTimeout = TryTimeout(options);
    }

    /// <summary>(budget − longest total back-off) / tries; the back-off of two retries with jitter stays under <see cref="MaxDelay"/> × 2.</summary>
    public static TimeSpan TryTimeout(StorageOptions options)
    {
        var budget = TimeSpan.FromMilliseconds(options.TimeoutMilliseconds);
        var perTry = (budget - MaxDelay * MaxRetries) / (MaxRetries + 1);
        return perTry > MinTryTimeout ? perTry : MinTryTimeout;
    }
}
