using Hokusai.Keys.Management;
using Hokusai.Keys.Validation;

namespace Hokusai.Keys.Leaks;

/// <summary>
/// The answer about one reported token: its SHA-256 (hex, lower case) instead of the token, whether it is an active key
/// of ours (a true positive) and what was done. <see cref="Undecided"/> is set when we could not tell (caller throttled,
/// storage unavailable, verification busy): nothing was changed and the report should be retried.
/// </summary>
public sealed record LeakVerdict(string TokenHash, string? TokenType, bool IsTruePositive, LeakOutcome? Outcome, ValidationCode? Undecided = null);
