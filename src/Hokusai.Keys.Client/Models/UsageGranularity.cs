namespace Hokusai.Keys.Client.Models;

/// <summary>Granularity of a usage report.</summary>
public static class UsageGranularity
{
    public const string Hour = "hour";
    public const string Day = "day";
}
