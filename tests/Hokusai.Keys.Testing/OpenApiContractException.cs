namespace Hokusai.Keys.Testing;

/// <summary>A response broke docs/openapi.json (<see cref="OpenApiCheckingHandler"/>).</summary>
public sealed class OpenApiContractException(string message) : Exception(message);
