using System.Text.Json.Serialization;

namespace Hokusai.Keys.Client.Models;

/// <summary>Requests per window: a token bucket of capacity <see cref="Limit"/> refilled continuously at Limit/WindowSeconds per second.</summary>
public sealed record ApiKeyRateLimit(int Limit, int WindowSeconds);
