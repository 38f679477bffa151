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

    [GlobalSetup]
    public async Task Setup()
    {
        _host = BenchmarkHost.Create();
        _api = _host.Services.GetRequiredService<ValidationApi>();
        _context = new DefaultHttpContext { RequestServices = _host.Services };
        _context.Request.Headers.Authorization = "Bearer " + _host.Key;
        _context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("10.0.0.7");
        if (await Run() != 204) throw new InvalidOperationException("setup: not authorized");
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _host.DisposeAsync();

    [Benchmark(Description = "authorize handler, cached key (204 + headers)")]
    public Task<int> Authorize() => Run();

    private async Task<int> Run()
    {
        _context.Response.Headers.Clear();
        var result = await _api.AuthorizeAsync(_context.Request);
        await result.ExecuteAsync(_context);
        return _context.Response.StatusCode;
    }
}
