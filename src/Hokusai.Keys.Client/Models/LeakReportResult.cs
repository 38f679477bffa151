namespace Hokusai.Keys.Client.Models;

/// <summary>
/// The answer to a leak report: the key's SHA-256 (hex; the key itself is never echoed), <c>true_positive</c> when it
/// was an active key, and what was done: <c>revoked</c>, <c>flagged</c> or <c>none</c>.
/// </summary>
public sealed class LeakReportResult
{
    /// <summary>The reported key's SHA-256, lowercase hex.</summary>
    public string TokenHash { get; init; } = "";

    /// <summary><c>true_positive</c> (an active key of the platform) or <c>false_positive</c>.</summary>
    public string Label { get; init; } = "";

    /// <summary>What was done: <c>revoked</c>, <c>flagged</c> (the key's leak policy is <c>notify</c>) or <c>none</c>.</summary>
    public string Action { get; init; } = "";

    /// <summary>Whether the reported key was an active key of the platform.</summary>
    public bool IsTruePositive => Label == "true_positive";

    /// <inheritdoc/>
    public override string ToString() => $"LeakReportResult {Label} ({Action})";
}
