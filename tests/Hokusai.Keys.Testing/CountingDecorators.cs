using Hokusai.Keys.Domain;
using Hokusai.Keys.Security;
using Hokusai.Keys.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Hokusai.Keys.Testing;

/// <summary>Test seams: count bcrypt verifications and key reads on one server instance, around the real implementations.</summary>
public sealed class CallCounter
{
    private int _bcryptVerifications;
    private int _keyReads;
    private int _listedRows;

    public int BcryptVerifications => Volatile.Read(ref _bcryptVerifications);

    /// <summary>Makes each bcrypt verification take this much longer (to widen races on purpose).</summary>
    public TimeSpan VerifyDelay { get; set; }

    /// <summary>When set, each bcrypt verification waits for it: holds the bcrypt workers (and so the queue) at a chosen state.</summary>
    public ManualResetEventSlim? VerifyGate { get; set; }
    public int KeyReads => Volatile.Read(ref _keyReads);

    /// <summary>Awaited before each key replace reaches storage: lets a test hold one request at a chosen step.</summary>
    public Func<Domain.ApiKeyRecord, Task>? BeforeReplace { get; set; }

    /// <summary>Listing rows the store returned (each one an index row and a key read).</summary>
    public int ListedRows => Volatile.Read(ref _listedRows);

    internal void Verified() => Interlocked.Increment(ref _bcryptVerifications);
    internal void Read() => Interlocked.Increment(ref _keyReads);
    internal void Listed(int rows) => Interlocked.Add(ref _listedRows, rows);

    /// <summary>Wraps the registered <see cref="ISecretHasher"/> and <see cref="IKeyStore"/> with counters.</summary>
    public void Install(IServiceCollection services)
    {
        Decorate<ISecretHasher>(services, inner => new CountingHasher(inner, this));
        Decorate<IKeyStore>(services, inner => new CountingStore(inner, this));
    }

    private static void Decorate<T>(IServiceCollection services, Func<T, T> wrap) where T : class
    {
        var descriptor = services.Last(d => d.ServiceType == typeof(T));
        services.Remove(descriptor);
        services.AddSingleton(sp =>
        {
            var inner = descriptor.ImplementationInstance as T
                ?? descriptor.ImplementationFactory?.Invoke(sp) as T
                ?? (T)ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!);
            return wrap(inner);
        });
    }

    private sealed class CountingHasher(ISecretHasher inner, CallCounter counter) : ISecretHasher
    {
        public string Scheme => inner.Scheme;
        public string Hash(string secret) => inner.Hash(secret);
        public bool Verify(string secret, string hash, string scheme)
        {
            counter.Verified();
            if (counter.VerifyDelay > TimeSpan.Zero) Thread.Sleep(counter.VerifyDelay);
            counter.VerifyGate?.Wait();
            return inner.Verify(secret, hash, scheme);
        }
    }

    private sealed class CountingStore(IKeyStore inner, CallCounter counter) : IKeyStore
    {
        public Task EnsureCreatedAsync(CancellationToken ct) => inner.EnsureCreatedAsync(ct);
        public Task<StoredKey?> GetAsync(string keyId, CancellationToken ct)
        {
            counter.Read();
            return inner.GetAsync(keyId, ct);
        }
        public Task<string> CreateAsync(Domain.ApiKeyRecord record, KeyEvent created, CancellationToken ct) => inner.CreateAsync(record, created, ct);
        public async Task<string> ReplaceAsync(Domain.ApiKeyRecord record, string etag, KeyEvent? change, CancellationToken ct)
        {
            if (counter.BeforeReplace is { } hook) await hook(record);
            return await inner.ReplaceAsync(record, etag, change, ct);
        }
        public Task<bool> DeleteAsync(string keyId, string etag, CancellationToken ct) => inner.DeleteAsync(keyId, etag, ct);
        public async Task<KeyListPage> ListAsync(string? owner, string? after, int take, CancellationToken ct)
        {
            var page = await inner.ListAsync(owner, after, take, ct);
            counter.Listed(page.Items.Count);
            return page;
        }
        public Task<(IReadOnlyList<KeyEvent> Items, string? NextCursor)> ListEventsAsync(string keyId, string? cursor, int take, CancellationToken ct) => inner.ListEventsAsync(keyId, cursor, take, ct);
        public Task<string?> GetBootstrapAdminIdAsync(CancellationToken ct) => inner.GetBootstrapAdminIdAsync(ct);
        public Task SetBootstrapAdminIdAsync(string keyId, CancellationToken ct) => inner.SetBootstrapAdminIdAsync(keyId, ct);
        public Task<bool> PingAsync(CancellationToken ct) => inner.PingAsync(ct);
    }
}
