using Hokusai.Keys.Api;
using Hokusai.Keys.Azure.Usage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Functions;

/// <summary>Usage: the report route and the queue-triggered ingestion (same handler as the server's queue consumer).</summary>
public sealed class UsageFunctions(ApiInvoker api, UsageIngestor ingestor, UsageRetentionSweeper retention)
{
    [Function("GetKeyUsage")]
    public async Task<IActionResult> GetKeyUsage([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.KeyUsage)] HttpRequest request, string id) =>
        await api.InvokeAsync(nameof(GetKeyUsage), request, id);

    [Function("ReportUsage")]
    public async Task<IActionResult> ReportUsage([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.UsageReport)] HttpRequest request) =>
        await api.InvokeAsync(nameof(ReportUsage), request);

    /// <summary>
    /// The queue is <c>Hokusai:Usage:QueueName</c> in the account of the <c>AzureWebJobsStorage</c> connection (the same
    /// account as <c>Hokusai:Storage</c> in every deployment). A message that throws is retried and, after host.json's
    /// <c>maxDequeueCount</c>, moved to <c>{queue}-poison</c> by the host; the ingestor logs why.
    /// </summary>
    [Function("IngestUsage")]
    public async Task IngestUsage([QueueTrigger("%Hokusai:Usage:QueueName%", Connection = "AzureWebJobsStorage")] byte[] message, FunctionContext context)
    {
        var result = await ingestor.IngestAsync(BinaryData.FromBytes(message), context.CancellationToken);
        context.GetLogger("Hokusai.Keys.Usage").LogInformation("Usage batch {BatchId}: {Events} events, {Keys} keys, {Writes} writes, {Duplicates} duplicate parts",
            result.BatchId, result.Events, result.Keys, result.Writes, result.Duplicates);
    }

    /// <summary>Hourly: deletes usage rows past <c>Hokusai:Usage:RetentionDays</c> (the server runs the same sweep on its lifecycle timer).</summary>
    [Function("SweepUsageRetention")]
    public async Task SweepUsageRetention([TimerTrigger("0 41 * * * *")] TimerInfo timer, FunctionContext context) =>
        await retention.SweepAsync(context.CancellationToken);
}
