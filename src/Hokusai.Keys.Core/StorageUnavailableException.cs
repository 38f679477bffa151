namespace Hokusai.Keys;

/// <summary>Thrown by adapters when a backing store cannot be reached; maps to 503 with Retry-After.</summary>
public sealed class StorageUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
