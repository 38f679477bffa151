using Hokusai.Keys.Domain;
using Microsoft.AspNetCore.Http;

namespace Hokusai.Keys.Api;

/// <summary>
/// One request as a handler receives it: the route's <see cref="Id"/> where it has one, and for a route with an
/// <see cref="ApiEndpoint.Auth"/> requirement the authenticated <see cref="Caller"/> (never null there).
/// </summary>
public sealed record ApiCall(HttpRequest Request, string? Id, Caller? Caller)
{
    public string KeyId => Id ?? throw new InvalidOperationException("This route has no {id}.");

    public Caller Authenticated => Caller ?? throw new InvalidOperationException("This route does not authenticate its caller.");

    public CancellationToken Aborted => Request.HttpContext.RequestAborted;
}
