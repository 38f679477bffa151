namespace Hokusai.Keys.Azure;

/// <summary>Settings section <c>Hokusai:Lifecycle</c>: the standalone server's timers (Functions use timer triggers).</summary>
public sealed class LifecycleOptions
{
    public const string SectionName = "Hokusai:Lifecycle";

    [NotRequiredInAzure("Functions run the outbox sweep from a timer trigger.")]
    public int OutboxSweepSeconds { get; set; } = 30;

    /// <summary>Also the interval of the rotation reminder sweep (<c>key.rotation_due</c>).</summary>
    [NotRequiredInAzure("Functions run the expiry sweep from a timer trigger.")]
    public int ExpirySweepSeconds { get; set; } = 300;

    /// <summary>Also the interval of the change feed's retention sweep.</summary>
    [NotRequiredInAzure("Functions run the usage retention cleanup from a timer trigger.")]
    public int UsageRetentionSweepSeconds { get; set; } = 3600;

    /// <summary>Pointers younger than this are left to the in-process dispatcher.</summary>
    [NotRequiredInAzure("A tuning constant; the default suits Azure.")]
    public int OutboxGraceSeconds { get; set; } = 15;
}
