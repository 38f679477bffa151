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

    private ApiResult(int status, object? body, string? contentType)
    {
        StatusCode = status;
        Body = body;
        ContentType = contentType;
    }

    public int StatusCode { get; }
    public object? Body { get; }
    public string? ContentType { get; }

    public static ApiResult Json(int status, object body) => new(status, body, JsonContentType);

    public static ApiResult Problem(ProblemResponse problem) => new(problem.Status, problem, ProblemContentType);

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
        if (Body is null) return;
        response.ContentType = ContentType;
        await JsonSerializer.SerializeAsync(response.Body, Body, Body.GetType(), ApiJson.Options, httpContext.RequestAborted);
    }
}
