using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Storage;

/// <summary>One key of a listing with its opaque position (what a cursor resumes after).</summary>
public sealed record ListedKey(ApiKeyRecord Record, string Position);
