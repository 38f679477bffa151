using Azure.Monitor.OpenTelemetry.Exporter;
using Hokusai.Keys.Api;
using Hokusai.Keys.Api.Http;
using Hokusai.Keys.Security;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;

namespace Hokusai.Keys.Functions;

public static class FunctionsHostSetup
{
    /// <summary>The Functions host's services: the shared API plus Application Insights over OpenTelemetry when configured.</summary>
    public static FunctionsApplicationBuilder ConfigureHokusaiFunctions(this FunctionsApplicationBuilder builder)
    {
        // Instances that each made up a pepper would share no cached key (each re-verifies with bcrypt and overwrites
        // the others' Redis entries): the deployed app gets a stable one from Key Vault (docs/security.md).
        var pepper = builder.Configuration[$"{SecurityOptions.SectionName}:{nameof(SecurityOptions.CachePepper)}"];
        if (string.IsNullOrEmpty(pepper))
            throw new InvalidOperationException("Hokusai:Security:CachePepper is required by the Functions host (in Azure: the Key Vault reference to the cache-pepper secret; docs/deploy.md).");
        if (SecretDigester.ProblemWith(pepper) is { } problem) throw new InvalidOperationException(problem);
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
