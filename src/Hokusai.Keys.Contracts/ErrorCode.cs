namespace Hokusai.Keys;

/// <summary>One machine code: the HTTP status a problem with it has, and the problem's title.</summary>
public sealed record ErrorCode(string Code, int Status, string Title);
