using BenchmarkDotNet.Attributes;
using Hokusai.Keys.Api;
using Hokusai.Keys.Api.Handlers;
using Hokusai.Keys.Keys;
using Hokusai.Keys.Management;
using Hokusai.Keys.Security;
using Hokusai.Keys.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Benchmarks;

/// <summary>The whole authorize handler in process (header parsing, validation, result with headers), without HTTP I/O.</summary>
[MemoryDiagnoser]
public class AuthorizeHandlerBenchmarks
{
    private ServiceProvider _services = null!;
    private ValidationApi _api = null!;
    private DefaultHttpContext _context = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hokusai:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Hokusai:Security:CachePepper"] = "benchmark-pepper-0123456789abcdef0123456789",
            ["Hokusai:Security:BcryptWorkFactor"] = "4",
            ["Hokusai:Cache:LocalSeconds"] = "3600",
        }).Build();
        var services = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddHokusaiKeysApi(configuration);
        var generated = ApiKeyFormat.Generate(KeyEnvironment.Live);
        services.AddSingleton<IKeyStore>(sp =>
        {
            var hasher = sp.GetRequiredService<ISecretHasher>();
            return new InMemoryKeyStore(new ApiKeyRecord
            {
                Id = generated.KeyId, Name = "bench", Owner = "bench", Environment = KeyEnvironment.Live, Scopes = ["models:read"],
                CreatedAt = DateTimeOffset.UtcNow, SecretHash = hasher.Hash(generated.Secret), HashScheme = hasher.Scheme,
            });
        });
        _services = services.BuildServiceProvider();
        _api = _services.GetRequiredService<ValidationApi>();
        _context = new DefaultHttpContext { RequestServices = _services };
        _context.Request.Headers.Authorization = "Bearer " + generated.Plaintext;
        _context.Connection.RemoteIpAddress = System.Net.IPAddress.Loopback;
        if ((await Run()) != 204) throw new InvalidOperationException("setup: not authorized");
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _services.DisposeAsync();

    [Benchmark(Description = "authorize handler, cached key (204 + headers)")]
    public Task<int> Authorize() => Run();

    private async Task<int> Run()
    {
        _context.Response.Headers.Clear();
        var result = await _api.AuthorizeAsync(_context.Request);
        await result.ExecuteAsync(_context);
        return _context.Response.StatusCode;
    }

    private sealed class InMemoryKeyStore(ApiKeyRecord record) : IKeyStore
    {
        public Task EnsureCreatedAsync(CancellationToken ct) => Task.CompletedTask;
        public Task<StoredKey?> GetAsync(string keyId, CancellationToken ct) => Task.FromResult(keyId == record.Id ? new StoredKey(record, "*") : null);
        public Task<string> CreateAsync(ApiKeyRecord r, KeyEvent created, CancellationToken ct) => throw new NotSupportedException();
        public Task<string> ReplaceAsync(ApiKeyRecord r, string etag, KeyEvent? change, CancellationToken ct) => throw new NotSupportedException();
        public Task DeleteAsync(string keyId, CancellationToken ct) => throw new NotSupportedException();
        public Task<KeyListPage> ListAsync(string? owner, string? after, int take, CancellationToken ct) => throw new NotSupportedException();
        public Task<(IReadOnlyList<KeyEvent> Items, string? NextCursor)> ListEventsAsync(string keyId, string? cursor, int take, CancellationToken ct) => throw new NotSupportedException();
        public Task<string?> GetBootstrapAdminIdAsync(CancellationToken ct) => Task.FromResult<string?>(null);
        public Task SetBootstrapAdminIdAsync(string keyId, CancellationToken ct) => Task.CompletedTask;
        public Task<bool> PingAsync(CancellationToken ct) => Task.FromResult(true);
    }
}
