namespace Hokusai.Keys.Server;

/// <summary>The JSON body of a route (type, required, media types), for the OpenAPI document.</summary>
public sealed record JsonBodyMetadata(Type BodyType, bool Required, IReadOnlyList<string> MediaTypes);
