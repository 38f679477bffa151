using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Management;

public sealed record CreatedKey(ApiKeyRecord Record, GeneratedApiKey Key);
