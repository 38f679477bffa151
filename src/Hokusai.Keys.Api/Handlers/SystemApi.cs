using Hokusai.Keys.Api.Http;
using Hokusai.Keys.Api.Models;
using Hokusai.Keys.Azure.Caching;
using Hokusai.Keys.Storage;
using Microsoft.AspNetCore.Http;

namespace Hokusai.Keys.Api.Handlers;

/// <summary><c>GET /api/health</c> and the committed OpenAPI document.</summary>
public sealed class SystemApi(IKeyStore store, RedisConnection redis, ApiErrorBoundary boundary)
{
    public Task<ApiResult> HealthAsync(HttpRequest request) => boundary.RunAsync(request, async ct =>
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        var storageTask = PingStorageAsync(timeout.Token);
        var redisStatus = "not-configured";
        if (redis.IsConfigured)
        {
            try
            {
                var connection = await redis.GetAsync();
                await connection.GetDatabase().PingAsync();
                redisStatus = "ok";
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
            {
                redisStatus = "unavailable";
            }
        }
        var storageOk = await storageTask;
        var dependencies = new Dictionary<string, string> { ["storage"] = storageOk ? "ok" : "unavailable", ["redis"] = redisStatus };
        // Redis is a cache: without it validation still answers, so it degrades health but does not fail it.
        var status = !storageOk ? "unhealthy" : redisStatus == "unavailable" ? "degraded" : "ok";
        var result = ApiResult.Json(storageOk ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, new HealthResponse(status, dependencies));
        return storageOk ? result : result.WithHeader("Retry-After", Problems.RetryAfterSeconds);
    });

    /// <summary>False when storage fails or does not answer within the health check's own bound (a hung endpoint).</summary>
    private async Task<bool> PingStorageAsync(CancellationToken timeout)
    {
        try
        {
            return await store.PingAsync(timeout);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return false;
        }
    }

    private static readonly Lazy<System.Text.Json.JsonElement?> EmbeddedDocument = new(() =>
    {
        using var stream = typeof(SystemApi).Assembly.GetManifestResourceStream("openapi.json");
        return stream is null ? null : System.Text.Json.JsonDocument.Parse(stream).RootElement.Clone();
    });

    /// <summary>Serves docs/openapi.json as embedded at build time.</summary>
    public Task<ApiResult> OpenApiAsync(HttpRequest request) => boundary.RunAsync(request, _ => Task.FromResult(
        EmbeddedDocument.Value is { } document
            ? ApiResult.Json(StatusCodes.Status200OK, document)
            : ApiResult.Problem(ProblemResponse.Create(404, ErrorCodes.RouteNotFound, "No OpenAPI document was built into this app."))));
}
