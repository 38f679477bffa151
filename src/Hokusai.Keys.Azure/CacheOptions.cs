namespace Hokusai.Keys.Azure;

/// <summary>Settings section <c>Hokusai:Cache</c>: how long validation results may be reused.</summary>
public sealed class CacheOptions
{
    public const string SectionName = "Hokusai:Cache";

    /// <summary>
    /// Longest in-process (L1) lifetime (each entry gets 80–100 % of it). Bounds how long a revocation made while Redis
    /// is down can go unseen elsewhere.
    /// </summary>
    public int LocalSeconds { get; set; } = 30;

    /// <summary>Longest Redis (L2) lifetime (each entry gets 80–100 % of it).</summary>
    public int SharedSeconds { get; set; } = 600;

    /// <summary>Lifetime of a "no such key" entry.</summary>
    public int NotFoundSeconds { get; set; } = 10;
}
