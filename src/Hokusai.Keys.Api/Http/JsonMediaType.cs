using Microsoft.AspNetCore.Http;

namespace Hokusai.Keys.Api.Http;

/// <summary>
/// Which <c>Content-Type</c> a JSON body may come with: <c>application/json</c> (PATCH also RFC 7396
/// <c>application/merge-patch+json</c>, its own semantics), with no <c>charset</c> or <c>charset=utf-8</c> (JSON between
/// systems is UTF-8, RFC 8259). Other <c>+json</c> types are refused: <c>application/json-patch+json</c>, say, is a list
/// of operations this API would misread as a document.
/// </summary>
public static class JsonMediaType
{
    public const string Json = "application/json";
    public const string MergePatch = "application/merge-patch+json";

    public static IReadOnlyList<string> JsonOnly { get; } = [Json];

    /// <summary>
    /// True when the request announces a body: a positive <c>Content-Length</c> or a <c>Transfer-Encoding</c> (HTTP/1.1
    /// frames a request body no other way). A request without one has no body whatever its <c>Content-Type</c> says.
    /// </summary>
    public static bool HasBody(HttpRequest request) =>
        request.ContentLength is { } length ? length > 0 : request.Headers.TransferEncoding.Count > 0;

    /// <summary>True when <paramref name="contentType"/> is one of <paramref name="accepted"/> (case-insensitive), its charset, if any, UTF-8.</summary>
    public static bool IsAccepted(string? contentType, IReadOnlyList<string> accepted)
    {
        var rest = contentType.AsSpan();
        var end = rest.IndexOf(';');
        var mediaType = (end < 0 ? rest : rest[..end]).Trim();
        var known = false;
        foreach (var type in accepted) known |= mediaType.Equals(type, StringComparison.OrdinalIgnoreCase);
        if (!known) return false;
        while (end >= 0)
        {
            rest = rest[(end + 1)..];
            end = rest.IndexOf(';');
            var parameter = (end < 0 ? rest : rest[..end]).Trim();
            if (parameter.IsEmpty) continue;
            var equals = parameter.IndexOf('=');
            if (equals <= 0) return false; // not name=value: not a media type
            if (!parameter[..equals].TrimEnd().Equals("charset", StringComparison.OrdinalIgnoreCase)) continue;
            var value = parameter[(equals + 1)..].TrimStart();
            if (value is ['"', .. var quoted, '"']) value = quoted;
            if (!value.Equals("utf-8", StringComparison.OrdinalIgnoreCase)) return false;
        }
        return true;
    }
}
