using Hokusai.Keys.Api;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Security;
using Hokusai.Keys.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Benchmarks;

/// <summary>
/// The production DI graph of the API (cache in process, no Redis) over one stored key, so the in-process suites
/// measure our code and not I/O. Only the first, cache-filling validation reads the store.
/// </summary>
internal sealed class BenchmarkHost : IAsyncDisposable
{
    private BenchmarkHost(ServiceProvider services, string key)
    {
        Services = services;
        Key = key;
    }

    public ServiceProvider Services { get; }

    /// <summary>The plaintext of the one stored key (scopes models:read and models:write, allow-list 10.0.0.0/8 and 2001:db8::/32).</summary>
    public string Key { get; }

    /// <param name="rateLimit">The stored key's rate limit (decided in process: no Redis here).</param>
    public static BenchmarkHost Create(RateLimitPolicy? rateLimit = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hokusai:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Hokusai:Security:CachePepper"] = "benchmark-pepper-0123456789abcdef0123456789",
            ["Hokusai:Security:BcryptWorkFactor"] = "4",
            ["Hokusai:Cache:LocalSeconds"] = "3600",
            ["Hokusai:Cache:SharedSeconds"] = "3600",
            ["Hokusai:RateLimiting:FailuresPerIpPerMinute"] = "1000000000",
        }).Build();
        var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddHokusaiKeysApi(configuration);
        var generated = ApiKeyFormat.Generate(KeyEnvironment.Live);
        services.AddSingleton<IKeyStore>(sp =>
        {
            var hasher = sp.GetRequiredService<ISecretHasher>();
            return new SingleKeyStore(new ApiKeyRecord
            {
                Id = generated.KeyId, Name = "bench", Owner = "bench", Environment = KeyEnvironment.Live, Scopes = ["models:read", "models:write"],
                AllowedIps = ["10.0.0.0/8", "2001:db8::/32"], CreatedAt = DateTimeOffset.UtcNow, SecretHash = hasher.Hash(generated.Secret), HashScheme = hasher.Scheme,
                RateLimit = rateLimit,
            });
        });
        return new BenchmarkHost(services.BuildServiceProvider(), generated.Plaintext);
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();

    private sealed class SingleKeyStore(ApiKeyRecord record) : IKeyStore
    {
        public Task EnsureCreatedAsync(CancellationToken ct) => Task.CompletedTask;
        public Task<StoredKey?> GetAsync(string keyId, CancellationToken ct) => Task.FromResult(keyId == record.Id ? new StoredKey(record, "*") : null);
        public Task<string> CreateAsync(ApiKeyRecord r, KeyEvent created, CancellationToken ct) => throw new NotSupportedException();
        public Task<string> ReplaceAsync(ApiKeyRecord r, string etag, KeyEvent? change, CancellationToken ct) => throw new NotSupportedException();
        public Task<bool> DeleteAsync(string keyId, string etag, CancellationToken ct) => throw new NotSupportedException();
        public Task<KeyListPage> ListAsync(string? owner, string? after, int take, CancellationToken ct) => throw new NotSupportedException();
        public Task<(IReadOnlyList<KeyEvent> Items, string? NextCursor)> ListEventsAsync(string keyId, string? cursor, int take, CancellationToken ct) => throw new NotSupportedException();
        public Task<string?> GetBootstrapAdminIdAsync(CancellationToken ct) => Task.FromResult<string?>(null);
        public Task SetBootstrapAdminIdAsync(string keyId, CancellationToken ct) => Task.CompletedTask;
        public Task<bool> PingAsync(CancellationToken ct) => Task.FromResult(true);
    }
}
