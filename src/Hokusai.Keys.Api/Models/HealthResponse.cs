namespace Hokusai.Keys.Api.Models;

public sealed record HealthResponse(string Status, IReadOnlyDictionary<string, string> Dependencies);
