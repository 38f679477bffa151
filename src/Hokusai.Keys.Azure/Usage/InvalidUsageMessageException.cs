
namespace Hokusai.Keys.Azure.Usage;

/// <summary>A usage message that can never be processed (bad JSON, unknown version): it goes to the poison queue.</summary>
public sealed class InvalidUsageMessageException(string reason) : Exception("Invalid usage message: " + reason)
{
    public string Reason { get; } = reason;
}
