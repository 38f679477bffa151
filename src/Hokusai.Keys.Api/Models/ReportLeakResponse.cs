namespace Hokusai.Keys.Api.Models;

/// <summary>
/// Answer of <c>POST /api/keys/report-leak</c>: the key's SHA-256 (hex), <c>true_positive</c> when it is an active key of
/// ours, and what was done: <c>revoked</c>, <c>flagged</c> (the key opted out of revocation) or <c>none</c>.
/// </summary>
public sealed record ReportLeakResponse(string TokenHash, string Label, string Action);
