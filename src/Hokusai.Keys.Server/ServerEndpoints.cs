using Hokusai.Keys.Api;
using Hokusai.Keys.Api.Http;

namespace Hokusai.Keys.Server;

public static class ServerEndpoints
{
    /// <summary>Maps every route of <see cref="ApiEndpoints.All"/> below <c>/api</c>.</summary>
    public static IEndpointRouteBuilder MapHokusaiKeysApi(this IEndpointRouteBuilder app)
    {
        // Every handler is a singleton over singletons (no scoped service is registered), so the root provider serves
        // them: HttpContext.RequestServices would create and dispose a DI scope for every request, hot path included.
        var api = app.ServiceProvider.GetRequiredService<ApiInvoker>();
        foreach (var endpoint in ApiEndpoints.All)
        {
            var pattern = "/" + ApiRoutes.Prefix + "/" + endpoint.Route;
            // Delegates with a CancellationToken (not bare RequestDelegates) so the OpenAPI generator describes them; the
            // ApiResult they return is an IResult, which minimal APIs execute as is.
            var builder = endpoint.HasId
                ? app.MapMethods(pattern, endpoint.Methods, (HttpContext context, string id, CancellationToken _) => api.InvokeAsync(endpoint, context.Request, id))
                : app.MapMethods(pattern, endpoint.Methods, (HttpContext context, CancellationToken _) => api.InvokeAsync(endpoint, context.Request, null));
            builder.WithName(endpoint.Name);
            if (endpoint.Body is not null) builder.WithMetadata(new JsonBodyMetadata(endpoint.Body, endpoint.BodyRequired, endpoint.AcceptedMediaTypes));
            endpoint.Describe(builder);
        }
        return app;
    }

    /// <summary>
    /// 404/405 from routing become problem responses like every other error. A plain middleware rather than
    /// UseStatusCodePages, which allocates a feature and the request's Items dictionary on every request (a tenth of
    /// the allocations of a cached authorize) for the rare request that no route matches.
    /// </summary>
    public static IApplicationBuilder UseHokusaiProblemStatusPages(this IApplicationBuilder app) =>
        app.Use(static async (context, next) =>
        {
            await next(context);
            var response = context.Response;
            if (response.StatusCode is not (404 or 405) || response.HasStarted || response.ContentLength > 0 || response.ContentType is not null) return;
            if (response.StatusCode == 404)
            {
                await ApiResult.Problem(ProblemResponse.Create(404, ErrorCodes.RouteNotFound, "No route matches this path.")).ExecuteAsync(context);
                return;
            }
            // Routing's Allow is every method of every template the path matches (GET, PATCH and POST for
            // DELETE /api/keys/verify); the route table's is the methods of the path's own route.
            var path = context.Request.Path.Value ?? "";
            var allow = path.StartsWith("/" + ApiRoutes.Prefix + "/", StringComparison.OrdinalIgnoreCase)
                ? ApiEndpoints.AllowedMethods(path[(ApiRoutes.Prefix.Length + 2)..])
                : "";
            if (allow.Length == 0) allow = response.Headers.Allow.ToString();
            response.Headers.Remove("Allow");
            await Problems.MethodNotAllowed(allow).ExecuteAsync(context);
        });
}
