using System.Net;
using BenchmarkDotNet.Attributes;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Validation;
using Microsoft.Extensions.DependencyInjection;

namespace Hokusai.Keys.Benchmarks;

/// <summary>
/// The validator's hot path with the production cache (FusionCache L1; Redis off so the numbers are the in-process
/// cost) and the format check. Targets (issue 3): cached validation ≤ 2 µs and ≤ 1 KB per call; rejection ≤ 200 ns.
/// </summary>
[MemoryDiagnoser]
public class ValidationBenchmarks
{
    private static readonly IPAddress Client = IPAddress.Parse("10.1.2.3");
    private BenchmarkHost _host = null!;
    private KeyValidator _validator = null!;
    private string _badChecksum = null!;
    private string _wrongSecret = null!;
    private string[] _scopes = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _host = BenchmarkHost.Create();
        _validator = _host.Services.GetRequiredService<KeyValidator>();
        var key = _host.Key;
        _badChecksum = key[..^1] + (key[^1] == 'A' ? 'B' : 'A');
        ApiKeyFormat.TryParse(key, out var parsed);
        _wrongSecret = ApiKeyFormat.Generate(KeyEnvironment.Live, parsed.KeyId).Plaintext;
        _scopes = ["models:read"];
        var warm = await _validator.ValidateAsync(new ValidationRequest(key, Client, _scopes, ValidationEndpoint.Verify), default);
        if (!warm.IsValid) throw new InvalidOperationException("setup: key did not validate");
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _host.DisposeAsync();

    [Benchmark(Description = "cached validation (IP + scope checks)")]
    public ValidationCode Cached() => _validator.ValidateAsync(new ValidationRequest(_host.Key, Client, _scopes, ValidationEndpoint.Verify), default).GetAwaiter().GetResult().Code;

    [Benchmark(Description = "cached key, wrong secret (digest compare, no bcrypt)")]
    public ValidationCode WrongSecret() => _validator.ValidateAsync(new ValidationRequest(_wrongSecret, Client, _scopes, ValidationEndpoint.Verify), default).GetAwaiter().GetResult().Code;

    [Benchmark(Description = "format + checksum rejection")]
    public bool Rejection() => ApiKeyFormat.TryParse(_badChecksum, out _);

    [Benchmark(Description = "format + checksum acceptance")]
    public bool Acceptance() => ApiKeyFormat.TryParse(_host.Key, out _);
}
