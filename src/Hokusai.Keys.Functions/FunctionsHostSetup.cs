using Azure.Monitor.OpenTelemetry.Exporter;
using Hokusai.Keys.Api;
using Hokusai.Keys.Api.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Hokusai.Keys.Functions;

public static class FunctionsHostSetup
{
    /// <summary>The Functions host's services: the shared API plus Application Insights over OpenTelemetry when configured.</summary>
    public static FunctionsApplicationBuilder ConfigureHokusaiFunctions(this FunctionsApplicationBuilder builder)
    {
        builder.ConfigureFunctionsWebApplication();
        // The worker's Kestrel (which the Functions host forwards requests to) hands them over with ?api_key= redacted.
        builder.Services.AddHokusaiQueryKeyRedaction();
        builder.Services.AddHokusaiKeysApi(builder.Configuration);

        var otel = builder.Services.AddOpenTelemetry().UseFunctionsWorkerDefaults()
            .WithMetrics(metrics => metrics.AddMeter(KeyMetrics.MeterName, "ZiggyCreatures.Caching.Fusion"));
        if (!string.IsNullOrEmpty(builder.Configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"]))
            otel.UseAzureMonitorExporter();
        return builder;
    }
}
