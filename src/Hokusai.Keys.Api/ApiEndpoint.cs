using Hokusai.Keys.Api.Handlers;
using Hokusai.Keys.Api.Http;
using Microsoft.AspNetCore.Builder;

namespace Hokusai.Keys.Api;

/// <summary>
/// One route of the API: its name (the Function's name too), method, template, who may call it, handler, OpenAPI
/// description and JSON body type. The body type is documentation only: neither host rejects a request for its
/// Content-Type.
/// </summary>
public sealed record ApiEndpoint(
    string Name,
    string Method,
    string Route,
    Access? Auth,
    Func<IServiceProvider, ApiCall, Task<ApiResult>> Handler,
    Action<RouteHandlerBuilder> Describe,
    Type? Body = null,
    bool BodyRequired = true)
{
    public bool HasId => Route.Contains("{id}", StringComparison.Ordinal);
}
