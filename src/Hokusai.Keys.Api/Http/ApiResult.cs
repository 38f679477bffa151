using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Hokusai.Keys.Api.Http;

/// <summary>
/// Every handler's result. It is an <see cref="IActionResult"/> for the Functions host and an <see cref="IResult"/>
/// for the standalone server, and writes the same bytes in both.
/// </summary>
public sealed class ApiResult : IActionResult, IResult
{
    public const string JsonContentType = "application/json; charset=utf-8";
    public const string ProblemContentType = "application/problem+json; charset=utf-8";

    private List<KeyValuePair<string, string>>? _headers;
    private readonly byte[]? _json;

    private ApiResult(int status, object? body, string? contentType, byte[]? json = null)
    {
        StatusCode = status;
        Body = body;
        ContentType = contentType;
        _json = json;
    }

    public int StatusCode { get; }
    public object? Body { get; }
    public string? ContentType { get; }

    public static ApiResult Json(int status, object body) => new(status, body, JsonContentType);

    public static ApiResult Problem(ProblemResponse problem) => new(problem.Status, problem, ProblemContentType);

    public static ApiResult Problem(PreparedProblem problem) => new(problem.Status, null, ProblemContentType, problem.Json);

    public static ApiResult Empty(int status) => new(status, null, null);

    public ApiResult WithHeader(string name, string value)
    {
        (_headers ??= []).Add(new(name, value));
        return this;
    }

    public string? Header(string name) => _headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    public Task ExecuteResultAsync(ActionContext context) => ExecuteAsync(context.HttpContext);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        if (_headers is not null)
            foreach (var (name, value) in _headers) response.Headers.Append(name, value);
        if (Body is null && _json is null) return;
        response.ContentType = ContentType;
        // Serialized first, so the answer carries its Content-Length and leaves in one write (a body streamed without
        // one is chunked: a second write for the final chunk).
        var json = _json ?? JsonSerializer.SerializeToUtf8Bytes(Body, Body!.GetType(), ApiJson.Options);
        response.ContentLength = json.Length;
        await response.Body.WriteAsync(json, httpContext.RequestAborted);
    }
}
