using System.Text.Json.Serialization;

namespace Hokusai.Keys.Api.Http;

/// <summary>RFC 9457 problem details with a machine <see cref="Code"/> and, for validation problems, per-field errors.</summary>
public sealed record ProblemResponse(
    string Type,
    string Title,
    int Status,
    string Detail,
    string Code)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }

    /// <summary>A problem with <paramref name="code"/> of <see cref="ErrorCatalog"/>, titled as the catalog titles it.</summary>
    public static ProblemResponse Create(int status, string code, string detail, IReadOnlyDictionary<string, string[]>? errors = null) =>
        new("https://hokusai.dev/problems/" + code.ToLowerInvariant().Replace('_', '-'),
            ErrorCatalog.TryGet(code, out var entry) ? entry.Title : TitleOf(status), status, detail, code) { Errors = errors };

    private static string TitleOf(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Error",
    };
}
