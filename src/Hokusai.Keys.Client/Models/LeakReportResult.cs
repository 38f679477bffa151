namespace Hokusai.Keys.Client;

/// <summary>
/// The answer to a leak report: the key's SHA-256 (hex; the key itself is never echoed), <c>true_positive</c> when it
/// was an active key, and what was done: <c>revoked</c>, <c>flagged</c> or <c>none</c>.
/// </summary>
public sealed class LeakReportResult
{
    public string TokenHash { get; init; } = "";
    public string Label { get; init; } = "";
    public string Action { get; init; } = "";

    public bool IsTruePositive => Label == "true_positive";

    public override string ToString() => $"LeakReportResult {Label} ({Action})";
}
