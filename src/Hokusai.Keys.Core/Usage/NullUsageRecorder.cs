namespace Hokusai.Keys.Usage;

/// <summary>Records nothing (used where no usage pipeline is configured).</summary>
public sealed class NullUsageRecorder : IUsageRecorder
{
    public void Record(UsageEvent usage)
    {
    }
}
