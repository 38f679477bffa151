namespace Hokusai.Keys.Storage;

/// <summary>One entry of the change feed: the key whose validation outcome may have changed, and the event that says so.</summary>
public sealed record KeyChange(string KeyId, string Type, DateTimeOffset OccurredAt);
