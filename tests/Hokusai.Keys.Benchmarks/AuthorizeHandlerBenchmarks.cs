using BenchmarkDotNet.Attributes;
using Hokusai.Keys.Api.Handlers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Hokusai.Keys.Benchmarks;

/// <summary>The whole authorize handler in process (header parsing, validation, result with headers), without HTTP I/O.</summary>
[MemoryDiagnoser]
public class AuthorizeHandlerBenchmarks
{
    private BenchmarkHost _host = null!;
    private ValidationApi _api = null!;
    private DefaultHttpContext _context = null!;
    private BenchmarkHost _limitedHost = null!;
    private ValidationApi _limitedApi = null!;
    private DefaultHttpContext _limitedContext = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        (_host, _api, _context) = Start(null);
        if (await Run(_api, _context) != 204) throw new InvalidOperationException("setup: not authorized");
        // One request an hour: the first is admitted, every later one refused (429 problem + RateLimit headers).
        (_limitedHost, _limitedApi, _limitedContext) = Start(new Hokusai.Keys.Domain.RateLimitPolicy(1, 3600));
        await Run(_limitedApi, _limitedContext);
        if (await Run(_limitedApi, _limitedContext) != 429) throw new InvalidOperationException("setup: not refused");
    }

    private static (BenchmarkHost, ValidationApi, DefaultHttpContext) Start(Hokusai.Keys.Domain.RateLimitPolicy? rateLimit)
    {
        var host = BenchmarkHost.Create(rateLimit);
        var context = new DefaultHttpContext { RequestServices = host.Services };
        context.Request.Headers.Authorization = "Bearer " + host.Key;
        context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("10.0.0.7");
        return (host, host.Services.GetRequiredService<ValidationApi>(), context);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _host.DisposeAsync();
        await _limitedHost.DisposeAsync();
    }

    [Benchmark(Description = "authorize handler, cached key (204 + headers)")]
    public Task<int> Authorize() => Run(_api, _context);

    [Benchmark(Description = "authorize handler, rate-limited key (429 problem + headers)")]
    public Task<int> AuthorizeRefused() => Run(_limitedApi, _limitedContext);

    private static async Task<int> Run(ValidationApi api, DefaultHttpContext context)
    {
        context.Response.Headers.Clear();
        context.Response.Body = Stream.Null;
        var result = await api.AuthorizeAsync(context.Request);
        await result.ExecuteAsync(context);
        return context.Response.StatusCode;
    }
}
