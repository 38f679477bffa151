using System.Diagnostics;
using Hokusai.Keys.Api.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Api.Handlers;

/// <summary>Turns every failure of a handler into a problem response: domain errors by kind, malformed or stalled bodies as 400/408, storage outages as 503, bugs as a 500 without details.</summary>
public sealed partial class ApiErrorBoundary(ILogger<ApiErrorBoundary> logger)
{
    public Task<ApiResult> RunAsync(HttpRequest request, Func<CancellationToken, Task<ApiResult>> handler) =>
        RunAsync(request, handler, static (run, _, ct) => new ValueTask<ApiResult>(run(ct)));

    /// <summary>
    /// The same for the hot routes: a static handler with its state (no closure, and a cached delegate) that may complete
    /// synchronously (a <see cref="ValueTask{TResult}"/>), so a cached validation allocates only the returned task.
    /// </summary>
    public async Task<ApiResult> RunAsync<TState>(HttpRequest request, TState state, Func<TState, HttpRequest, CancellationToken, ValueTask<ApiResult>> handler)
    {
        try
        {
            return await handler(state, request, request.HttpContext.RequestAborted);
        }
        catch (Exception ex)
        {
            return Translate(ex, request);
        }
    }

    /// <summary>The problem response for an exception a handler let escape.</summary>
    private ApiResult Translate(Exception exception, HttpRequest request)
    {
        switch (exception)
        {
            case DomainException domain:
                return Problems.From(domain);
            case BadHttpRequestException bad:
                // The server refused the request's framing (a malformed chunk, a body that stalls): the caller's fault.
                return bad.StatusCode == StatusCodes.Status408RequestTimeout
                    ? ApiResult.Problem(ProblemResponse.Create(408, ErrorCodes.RequestTimeout, "The request body did not arrive in time."))
                    : ApiResult.Problem(ProblemResponse.Create(400, ErrorCodes.MalformedRequest, "The request body is not well-formed HTTP."));
            case StorageUnavailableException:
                return Problems.Unavailable("Key storage is unavailable; try again shortly.");
            case ConcurrencyConflictException:
                return Problems.From(new DomainException(DomainErrorKind.Conflict, ErrorCodes.ConcurrentUpdate, "The key was changed by another request; try again."));
            case OperationCanceledException when request.HttpContext.RequestAborted.IsCancellationRequested:
                return ApiResult.Empty(499);
            default:
                var traceId = Activity.Current?.TraceId.ToString() ?? request.HttpContext.TraceIdentifier;
                // The path, never the query (it may hold ?api_key=); no exception we raise carries a key in its message.
                LogUnhandled(logger, exception, request.Method, request.Path, traceId);
                return ApiResult.Problem(ProblemResponse.Create(500, ErrorCodes.InternalError, $"An unexpected error occurred (trace {traceId})."));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception in {Method} {Path} (trace {TraceId})")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path, string traceId);
}
