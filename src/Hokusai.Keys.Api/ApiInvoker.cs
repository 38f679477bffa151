using System.Collections.Frozen;
using Hokusai.Keys.Api.Handlers;
using Hokusai.Keys.Api.Http;
using Microsoft.AspNetCore.Http;

namespace Hokusai.Keys.Api;

/// <summary>
/// Runs a route of <see cref="ApiEndpoints.All"/> for either host. A path that is another route's (GET
/// /api/keys/verify) is 405 first. A route with an <see cref="ApiEndpoint.Auth"/> requirement authenticates its caller
/// next, so its handler never sees an unauthenticated request, and every failure of its handler becomes a problem
/// response. Public routes (verify, authorize, health) guard themselves. A body of a media type the route does not
/// read is 415 before any handler runs.
/// </summary>
public sealed class ApiInvoker(IServiceProvider services, ManagementAuthenticator auth, ApiErrorBoundary boundary)
{
    private static readonly FrozenDictionary<string, ApiEndpoint> ByName = ApiEndpoints.All.ToFrozenDictionary(e => e.Name, StringComparer.Ordinal);

    /// <summary>The route named <paramref name="name"/> (a Function's name is its route's name).</summary>
    public Task<ApiResult> InvokeAsync(string name, HttpRequest request, string? id = null) => InvokeAsync(ByName[name], request, id);

    public Task<ApiResult> InvokeAsync(ApiEndpoint endpoint, HttpRequest request, string? id)
    {
        if (id is not null && ApiEndpoints.LiteralPathMethods(endpoint, id) is { } allow)
        {
            // The Functions runtime may hand a literal route's own method to the {id} route too (GET /api/keys/changes to GetKey).
            var path = endpoint.Route.Replace("{id}", id, StringComparison.Ordinal);
            var literal = ApiEndpoints.All.FirstOrDefault(e => !e.HasId && string.Equals(e.Route, path, StringComparison.OrdinalIgnoreCase)
                && string.Equals(e.Method, request.Method, StringComparison.OrdinalIgnoreCase));
            return literal is not null ? InvokeAsync(literal, request, null) : Task.FromResult(Problems.MethodNotAllowed(allow));
        }
        if (endpoint.Auth is not { } access)
            return UnsupportedBody(endpoint, request) is { } unsupported ? Task.FromResult(unsupported) : endpoint.Handler(services, new ApiCall(request, id, null));
        return boundary.RunAsync(request, async _ =>
        {
            var (caller, problem) = await auth.AuthenticateAsync(request, access);
            return problem ?? UnsupportedBody(endpoint, request) ?? await endpoint.Handler(services, new ApiCall(request, id, caller));
        });
    }

    /// <summary>415 when the request has a body the route reads (a route without a body type reads none) in another media type.</summary>
    private static ApiResult? UnsupportedBody(ApiEndpoint endpoint, HttpRequest request) =>
        endpoint.Body is not null && JsonMediaType.HasBody(request) && !JsonMediaType.IsAccepted(request.ContentType, endpoint.AcceptedMediaTypes)
            ? Problems.UnsupportedMediaType(endpoint.AcceptedMediaTypes)
            : null;
}
