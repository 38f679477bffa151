using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Management;

public sealed record KeyListResult(IReadOnlyList<ApiKeyRecord> Items, string? NextCursor);
