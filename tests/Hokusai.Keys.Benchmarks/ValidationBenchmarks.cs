using BenchmarkDotNet.Attributes;
using Hokusai.Keys.Azure;
using Hokusai.Keys.Keys;
using Hokusai.Keys.Management;
using Hokusai.Keys.Security;
using Hokusai.Keys.Storage;
using Hokusai.Keys.Validation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Benchmarks;

/// <summary>
/// The validator's hot path with the production cache (FusionCache L1; Redis off so the numbers are the in-process
/// cost) and the format check. Targets (issue 3): cached validation ≤ 2 µs and ≤ 1 KB per call; rejection ≤ 200 ns.
/// </summary>
[MemoryDiagnoser]
public class ValidationBenchmarks
{
    private ServiceProvider _services = null!;
    private KeyValidator _validator = null!;
    private string _key = null!;
    private string _badChecksum = null!;
    private string _wrongSecret = null!;
    private string[] _scopes = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hokusai:Security:CachePepper"] = "benchmark-pepper-0123456789abcdef0123456789",
            ["Hokusai:Security:BcryptWorkFactor"] = "4",
            ["Hokusai:Cache:LocalSeconds"] = "3600",
            ["Hokusai:Cache:SharedSeconds"] = "3600",
            ["Hokusai:RateLimiting:FailuresPerIpPerMinute"] = "1000000000",
        }).Build();
        var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddHokusaiCore(configuration).AddHokusaiRedisCache(configuration);
        var store = new SingleKeyStore();
        services.AddSingleton<IKeyStore>(store);
        _services = services.BuildServiceProvider();

        var generated = ApiKeyFormat.Generate(KeyEnvironment.Live);
        var hasher = _services.GetRequiredService<ISecretHasher>();
        store.Record = new ApiKeyRecord
        {
            Id = generated.KeyId, Name = "bench", Owner = "bench", Environment = KeyEnvironment.Live, Scopes = ["models:read", "models:write"],
            AllowedIps = ["10.0.0.0/8", "2001:db8::/32"], CreatedAt = DateTimeOffset.UtcNow, SecretHash = hasher.Hash(generated.Secret), HashScheme = hasher.Scheme,
        };
        _validator = _services.GetRequiredService<KeyValidator>();
        _key = generated.Plaintext;
        _badChecksum = _key[..^1] + (_key[^1] == 'A' ? 'B' : 'A');
        _wrongSecret = ApiKeyFormat.Generate(KeyEnvironment.Live, generated.KeyId).Plaintext;
        _scopes = ["models:read"];
        var warm = await _validator.ValidateAsync(new ValidationRequest(_key, Client, _scopes, "bench"), default);
        if (!warm.IsValid) throw new InvalidOperationException("setup: key did not validate");
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _services.DisposeAsync();

    private static readonly System.Net.IPAddress Client = System.Net.IPAddress.Parse("10.1.2.3");

    [Benchmark(Description = "cached validation (IP + scope checks)")]
    public ValidationCode Cached() => _validator.ValidateAsync(new ValidationRequest(_key, Client, _scopes, "bench"), default).GetAwaiter().GetResult().Code;

    [Benchmark(Description = "cached key, wrong secret (digest compare, no bcrypt)")]
    public ValidationCode WrongSecret() => _validator.ValidateAsync(new ValidationRequest(_wrongSecret, Client, _scopes, "bench"), default).GetAwaiter().GetResult().Code;

    [Benchmark(Description = "format + checksum rejection")]
    public bool Rejection() => ApiKeyFormat.TryParse(_badChecksum, out _);

    [Benchmark(Description = "format + checksum acceptance")]
    public bool Acceptance() => ApiKeyFormat.TryParse(_key, out _);

    /// <summary>Serves one key; only the first (cache-filling) validation reads it.</summary>
    private sealed class SingleKeyStore : IKeyStore
    {
        public ApiKeyRecord? Record { get; set; }
        public Task EnsureCreatedAsync(CancellationToken ct) => Task.CompletedTask;
        public Task<StoredKey?> GetAsync(string keyId, CancellationToken ct) =>
            Task.FromResult(Record is not null && Record.Id == keyId ? new StoredKey(Record, "*") : null);
        public Task<string> CreateAsync(ApiKeyRecord record, KeyEvent created, CancellationToken ct) => throw new NotSupportedException();
        public Task<string> ReplaceAsync(ApiKeyRecord record, string etag, KeyEvent? change, CancellationToken ct) => throw new NotSupportedException();
        public Task DeleteAsync(string keyId, CancellationToken ct) => throw new NotSupportedException();
        public Task<KeyListPage> ListAsync(string? owner, string? after, int take, CancellationToken ct) => throw new NotSupportedException();
        public Task<(IReadOnlyList<KeyEvent> Items, string? NextCursor)> ListEventsAsync(string keyId, string? cursor, int take, CancellationToken ct) => throw new NotSupportedException();
        public Task<string?> GetBootstrapAdminIdAsync(CancellationToken ct) => Task.FromResult<string?>(null);
        public Task SetBootstrapAdminIdAsync(string keyId, CancellationToken ct) => Task.CompletedTask;
        public Task<bool> PingAsync(CancellationToken ct) => Task.FromResult(true);
    }
}
