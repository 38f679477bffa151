using System.Text.Json.Serialization;

namespace Hokusai.Keys.Api.Models;

/// <summary>One match in a GitHub secret scanning report (the body is a JSON array of these).</summary>
public sealed record GitHubLeakMatch(string? Token, string? Type, string? Url, string? Source);

/// <summary>GitHub's expected answer per token: the token's SHA-256 (hex), never the token.</summary>
public sealed record GitHubLeakVerdict(
    [property: JsonPropertyName("token_hash")] string TokenHash,
    [property: JsonPropertyName("token_type")] string? TokenType,
    [property: JsonPropertyName("label")] string Label)
{
    public const string TruePositive = "true_positive";
    public const string FalsePositive = "false_positive";
}

/// <summary>Body of <c>POST /api/keys/report-leak</c>: the leaked key itself (the proof) and where it was found.</summary>
public sealed class ReportLeakRequest
{
    public string? Key { get; set; }
    public string? Url { get; set; }
}

/// <summary>
/// Answer of <c>POST /api/keys/report-leak</c>: the key's SHA-256 (hex), <c>true_positive</c> when it is an active key of
/// ours, and what was done: <c>revoked</c>, <c>flagged</c> (the key opted out of revocation) or <c>none</c>.
/// </summary>
public sealed record ReportLeakResponse(string TokenHash, string Label, string Action);
