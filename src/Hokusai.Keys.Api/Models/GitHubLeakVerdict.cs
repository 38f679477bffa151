using System.Text.Json.Serialization;

namespace Hokusai.Keys.Api.Models;

/// <summary>GitHub's expected answer per token: the token's SHA-256 (hex), never the token.</summary>
public sealed record GitHubLeakVerdict(
    [property: JsonPropertyName("token_hash")] string TokenHash,
    [property: JsonPropertyName("token_type")] string? TokenType,
    [property: JsonPropertyName("label")] string Label)
{
    public const string TruePositive = "true_positive";
    public const string FalsePositive = "false_positive";
}
