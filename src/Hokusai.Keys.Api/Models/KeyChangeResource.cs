namespace Hokusai.Keys.Api.Models;

/// <summary>A key whose validation outcome may have changed, and the event that says so.</summary>
public sealed record KeyChangeResource(string KeyId, string Type, DateTimeOffset OccurredAt);
