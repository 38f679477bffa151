using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

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

public static class ServerTelemetry
{
    public static IServiceCollection AddHokusaiServerTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var exporter = options.Exporter.ToLowerInvariant();
        if (exporter is "none" or "") return services;

        services.AddOpenTelemetry()
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(KeyMetrics.MeterName, "ZiggyCreatures.Caching.Fusion").AddAspNetCoreInstrumentation();
                if (exporter == "console") metrics.AddConsoleExporter();
                else metrics.AddOtlpExporter(o => { if (options.OtlpEndpoint is { } e) o.Endpoint = new Uri(e); });
            })
            .WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation();
                if (exporter == "console") tracing.AddConsoleExporter();
                else tracing.AddOtlpExporter(o => { if (options.OtlpEndpoint is { } e) o.Endpoint = new Uri(e); });
            });
        return services;
    }
}
