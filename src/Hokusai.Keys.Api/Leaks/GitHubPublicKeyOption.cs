namespace Hokusai.Keys.Api.Leaks;

/// <summary>One configured signing key of GitHub's secret scanning: its identifier (the GITHUB-PUBLIC-KEY-IDENTIFIER header) and PEM.</summary>
public sealed class GitHubPublicKeyOption
{
    public string Identifier { get; set; } = "";
    public string Pem { get; set; } = "";
}
