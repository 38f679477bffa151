namespace Hokusai.Keys.Azure;

/// <summary>A malformed <see cref="StorageOptions.ConnectionString"/> is a configuration error, said in one line.</summary>
internal static class StorageConnectionStrings
{
    /// <summary>
    /// Runs a client constructor; whatever its parser throws (format, argument or invalid-operation exceptions, by client)
    /// becomes one <see cref="InvalidOperationException"/> naming the setting. The SDK's message is not repeated: it may
    /// quote part of the string, which holds the account key.
    /// </summary>
    public static T Create<T>(Func<T> create)
    {
        try
        {
            return create();
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{StorageOptions.SectionName}:ConnectionString is not a valid storage connection string (name=value pairs, e.g. UseDevelopmentStorage=true).");
        }
    }
}
