using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Management;

public sealed record RotatedKey(ApiKeyRecord Record, GeneratedApiKey Key, ApiKeyRecord Previous);
