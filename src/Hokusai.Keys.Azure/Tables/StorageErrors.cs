using Azure;

namespace Hokusai.Keys.Azure.Tables;

internal static class StorageErrors
{
    public static bool IsUnavailable(Exception ex) => ex switch
    {
        RequestFailedException r => r.Status is 0 or 408 or 429 or >= 500,
        HttpRequestException or TimeoutException or System.Net.Sockets.SocketException => true,
        // The SDK's "retry failed after N tries": it retries network timeouts (cancellations it caused), never the
        // caller's own cancellation, so a cancellation among the tries is a storage endpoint that did not answer.
        AggregateException a => a.InnerExceptions.Any(e => e is OperationCanceledException || IsUnavailable(e)),
        OperationCanceledException when ex.InnerException is not null => IsUnavailable(ex.InnerException),
        _ => false,
    };
}
