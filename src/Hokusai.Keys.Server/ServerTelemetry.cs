using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Hokusai.Keys.Server;

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
