using Hokusai.Keys.Api;
using Hokusai.Keys.Api.Http;

namespace Hokusai.Keys.Server;

/// <summary>The JSON body type of a route, for the OpenAPI document only (no Content-Type check, as in the Functions host).</summary>
public sealed record JsonBodyMetadata(Type BodyType, bool Required);
