using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Storage;

/// <summary>A key as read, with the version tag that guards the next write.</summary>
public sealed record StoredKey(ApiKeyRecord Record, string ETag);
