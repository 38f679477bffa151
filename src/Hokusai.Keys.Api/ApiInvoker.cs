using System.Collections.Frozen;
using Hokusai.Keys.Api.Handlers;
using Hokusai.Keys.Api.Http;
using Microsoft.AspNetCore.Http;

namespace Hokusai.Keys.Api;

/// <summary>
/// Runs a route of <see cref="ApiEndpoints.All"/> for either host. A route with an <see cref="ApiEndpoint.Auth"/>
/// requirement authenticates its caller first, so its handler never sees an unauthenticated request, and every
/// failure of its handler becomes a problem response. Public routes (verify, authorize, health) guard themselves.
/// </summary>
public sealed class ApiInvoker(IServiceProvider services, ManagementAuthenticator auth, ApiErrorBoundary boundary)
{
    private static readonly FrozenDictionary<string, ApiEndpoint> ByName = ApiEndpoints.All.ToFrozenDictionary(e => e.Name, StringComparer.Ordinal);

    /// <summary>The route named <paramref name="name"/> (a Function's name is its route's name).</summary>
    public Task<ApiResult> InvokeAsync(string name, HttpRequest request, string? id = null) => InvokeAsync(ByName[name], request, id);

    public Task<ApiResult> InvokeAsync(ApiEndpoint endpoint, HttpRequest request, string? id)
    {
        if (endpoint.Auth is not { } access) return endpoint.Handler(services, new ApiCall(request, id, null));
        return boundary.RunAsync(request, async _ =>
        {
            var (caller, problem) = await auth.AuthenticateAsync(request, access);
            return problem ?? await endpoint.Handler(services, new ApiCall(request, id, caller));
        });
    }
}
