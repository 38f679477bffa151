namespace Hokusai.Keys.Server;

/// <summary>Settings section <c>Hokusai:Telemetry</c>: off by default; console exporter or an OTLP endpoint.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Hokusai:Telemetry";

    /// <summary><c>none</c> (default), <c>console</c> or <c>otlp</c>.</summary>
    public string Exporter { get; set; } = "none";

    /// <summary>OTLP endpoint, e.g. <c>http://localhost:4317</c>; the standard OTEL_EXPORTER_OTLP_* variables work too.</summary>
    public string? OtlpEndpoint { get; set; }
}
