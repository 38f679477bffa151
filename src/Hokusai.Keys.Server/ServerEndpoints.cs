using Hokusai.Keys.Api;
using Hokusai.Keys.Api.Http;
using Microsoft.AspNetCore.Diagnostics;

namespace Hokusai.Keys.Server;

public static class ServerEndpoints
{
    /// <summary>Maps every route of <see cref="ApiEndpoints.All"/> below <c>/api</c>.</summary>
    public static IEndpointRouteBuilder MapHokusaiKeysApi(this IEndpointRouteBuilder app)
    {
        foreach (var endpoint in ApiEndpoints.All)
        {
            var pattern = "/" + ApiRoutes.Prefix + "/" + endpoint.Route;
            var handler = endpoint.Handler;
            // Delegates with a CancellationToken (not bare RequestDelegates) so the OpenAPI generator describes them.
            var builder = endpoint.HasId
                ? app.MapMethods(pattern, [endpoint.Method], async (HttpContext context, string id, CancellationToken _) => (IResult)await handler(context.RequestServices, context.Request, id))
                : app.MapMethods(pattern, [endpoint.Method], async (HttpContext context, CancellationToken _) => (IResult)await handler(context.RequestServices, context.Request, null));
            builder.WithName(endpoint.Name);
            if (endpoint.Body is not null) builder.WithMetadata(new JsonBodyMetadata(endpoint.Body, endpoint.BodyRequired));
            endpoint.Describe(builder);
        }
        return app;
    }

    /// <summary>404/405 from routing become problem responses like every other error.</summary>
    public static IApplicationBuilder UseHokusaiProblemStatusPages(this IApplicationBuilder app) =>
        app.UseStatusCodePages(async context =>
        {
            var response = context.HttpContext.Response;
            if (response.HasStarted || response.ContentLength > 0 || response.ContentType is not null) return;
            var problem = response.StatusCode switch
            {
                404 => ProblemResponse.Create(404, ErrorCodes.RouteNotFound, "No route matches this path."),
                405 => ProblemResponse.Create(405, "METHOD_NOT_ALLOWED", "This route does not accept this method."),
                _ => null,
            };
            if (problem is not null) await ApiResult.Problem(problem).ExecuteAsync(context.HttpContext);
        });
}

/// <summary>The JSON body type of a route, for the OpenAPI document only (no Content-Type check, as in the Functions host).</summary>
public sealed record JsonBodyMetadata(Type BodyType, bool Required);
