using Hokusai.Keys.Api.Handlers;
using Hokusai.Keys.Api.Http;
using Microsoft.AspNetCore.Builder;

namespace Hokusai.Keys.Api;

/// <summary>
/// One route of the API: its name (the Function's name too), method (or <see cref="AnyMethod"/>), template, who may call it, handler, OpenAPI
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
    /// <summary>The method of a route that takes every method: a gateway's check that carries its client's method.</summary>
    public const string AnyMethod = "*";

    private static readonly IReadOnlyList<string> EveryMethod = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];

    public bool HasId => Route.Contains("{id}", StringComparison.Ordinal);

    /// <summary>The route's path as OpenAPI names it: below <c>/api</c>, a catch-all <c>{*name}</c> written <c>{name}</c>.</summary>
    public string DocumentPath => "/" + ApiRoutes.Prefix + "/" + Route.Replace("{*", "{", StringComparison.Ordinal);

    /// <summary>The methods the route answers: <see cref="Method"/>, or every method for <see cref="AnyMethod"/>.</summary>
    public IReadOnlyList<string> Methods => field ??= Method == AnyMethod ? EveryMethod : [Method];

    /// <summary>The media types of <see cref="Body"/>: <see cref="JsonMediaType.Json"/> unless the route names others.</summary>
    public IReadOnlyList<string> AcceptedMediaTypes => BodyMediaTypes ?? JsonMediaType.JsonOnly;
}
