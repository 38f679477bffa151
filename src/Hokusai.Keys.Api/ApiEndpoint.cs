using Hokusai.Keys.Api.Handlers;
using Hokusai.Keys.Api.Http;
using Microsoft.AspNetCore.Builder;

namespace Hokusai.Keys.Api;

/// <summary>
/// One route of the API: its name (the Function's name too), method, template, who may call it, handler, OpenAPI
/// description, JSON body type and the media types that body may be sent as (<see cref="ApiInvoker"/> answers 415 to
/// any other; a route without a body type reads no body).
/// </summary>
public sealed record ApiEndpoint(
    string Name,
    string Method,
    string Route,
    Access? Auth,
    Func<IServiceProvider, ApiCall, Task<ApiResult>> Handler,
    Action<RouteHandlerBuilder> Describe,
    Type? Body = null,
    bool BodyRequired = true,
    IReadOnlyList<string>? BodyMediaTypes = null)
{
    public bool HasId => Route.Contains("{id}", StringComparison.Ordinal);

    /// <summary>The media types of <see cref="Body"/>: <see cref="JsonMediaType.Json"/> unless the route names others.</summary>
    public IReadOnlyList<string> AcceptedMediaTypes => BodyMediaTypes ?? JsonMediaType.JsonOnly;
}
