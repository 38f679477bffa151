namespace Hokusai.Keys.Leaks;

/// <summary>One token a scanner found: the raw token (never logged or echoed), its type name, and where it was found.</summary>
public sealed record LeakedToken(string Token, string? Type, string? Url, string? Source);
