using Microsoft.AspNetCore.Http;

namespace Hokusai.Keys.Api.Http;

/// <summary>Where callers may put a key: <c>Authorization: Bearer</c>, <c>X-API-Key</c>, or (authorize only) <c>?api_key=</c>.</summary>
public static class PresentedKey
{
    public const string HeaderName = "X-API-Key";
    public const string QueryName = "api_key";

    public static string? From(HttpRequest request, bool allowQuery)
    {
        var authorization = request.Headers.Authorization;
        if (authorization.Count > 0)
        {
            var value = authorization[0];
            if (value is not null && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
                return value[7..].Trim();
        }
        var header = request.Headers[HeaderName];
        if (header.Count > 0) return header[0]?.Trim();
        if (allowQuery)
        {
            // Hosts with QueryKeyRedaction moved the value out of the query before anything could log it.
            if (request.HttpContext.Features.Get<PresentedQueryKey>() is { } moved) return moved.Value;
            var query = request.Query[QueryName];
            if (query.Count > 0) return query[0];
        }
        return null;
    }
}
