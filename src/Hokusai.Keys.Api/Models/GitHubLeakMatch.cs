namespace Hokusai.Keys.Api.Models;

/// <summary>One match in a GitHub secret scanning report (the body is a JSON array of these).</summary>
public sealed record GitHubLeakMatch(string? Token, string? Type, string? Url, string? Source);
