using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Hokusai.Keys.Api.Http;

/// <summary>Reads a bounded JSON body. Every way it can be wrong becomes a 400 problem, never an exception.</summary>
public static class RequestBody
{
    public const int MaxBytes = 64 * 1024;

    public readonly record struct Result<T>(T? Value, ApiResult? Problem);

    public static async Task<Result<T>> ReadAsync<T>(HttpRequest request, bool required, CancellationToken cancellationToken) where T : class
    {
        if (request.ContentLength > MaxBytes) return TooLarge<T>();
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBytes) return TooLarge<T>();
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0 || buffer.ToArray().All(b => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
        {
            return required
                ? new(null, Problems.BadRequest(ErrorCodes.InvalidJson, "A JSON body is required."))
                : new(null, null);
        }
        try
        {
            var value = JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), ApiJson.Options);
            return value is null
                ? new(null, Problems.BadRequest(ErrorCodes.InvalidJson, "The body must be a JSON object."))
                : new(value, null);
        }
        catch (JsonException ex)
        {
            return new(null, Problems.BadRequest(ErrorCodes.InvalidJson, Describe(ex)));
        }
    }

    private static Result<T> TooLarge<T>() where T : class =>
        new(null, Problems.BadRequest(ErrorCodes.BodyTooLarge, $"The body must be at most {MaxBytes} bytes."));

    /// <summary>Says where the body is wrong without echoing values (a body may hold a key).</summary>
    private static string Describe(JsonException ex)
    {
        var path = string.IsNullOrEmpty(ex.Path) ? "$" : ex.Path;
        if (ex.Message.StartsWith("Duplicate propert", StringComparison.Ordinal))
            return $"Duplicate property at {path}.";
        if (ex.Message.Contains("could not be mapped", StringComparison.Ordinal))
            return $"Unknown property at {path}.";
        if (ex.Message.Contains("could not be converted", StringComparison.Ordinal))
            return $"Wrong type of value at {path}.";
        return $"The body is not valid JSON (at {path}).";
    }
}
