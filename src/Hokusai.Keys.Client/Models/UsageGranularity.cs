namespace Hokusai.Keys.Client.Models;

/// <summary>Granularity of a usage report.</summary>
public static class UsageGranularity
{
    /// <summary>One bucket per hour.</summary>
    public const string Hour = "hour";
    /// <summary>One bucket per UTC day.</summary>
    public const string Day = "day";
}
