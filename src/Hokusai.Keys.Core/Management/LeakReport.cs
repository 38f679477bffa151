namespace Hokusai.Keys.Management;

/// <summary>
/// Who reported a leak (<c>github</c>, or <c>self</c> for our own tooling), from which address, and where the key was
/// found: recorded in the <c>key.leaked</c> event. Never the key itself.
/// </summary>
public sealed record LeakReport(string Reporter, string? ReporterIp, string? Url, string? Source);
