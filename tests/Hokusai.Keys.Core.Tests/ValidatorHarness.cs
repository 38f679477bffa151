using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Hokusai.Keys.Domain;
using Hokusai.Keys.RateLimiting;
using Hokusai.Keys.Security;
using Hokusai.Keys.Usage;
using Hokusai.Keys.Validation;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Hokusai.Keys.Core.Tests;

/// <summary>A presented key and its id. Its text never appears in test output: <see cref="ToString"/> names the id only.</summary>
internal sealed class TestKey(string plaintext, string id)
{
    public string Plaintext { get; } = plaintext;
    public string Id { get; } = id;
    public override string ToString() => Id;
}

/// <summary>
/// A <see cref="KeyValidator"/> over in-memory collaborators: the store, a one-level cache, a fast hasher that counts
/// (and can hold) verifications, the local rate limiter on a <see cref="FakeTimeProvider"/>, and recorders for metrics,
/// usage and quota thresholds. No Azurite, no Redis.
/// </summary>
internal sealed class ValidatorHarness : IAsyncDisposable
{
    /// <summary>The address requests come from unless a test says otherwise.</summary>
    public static readonly IPAddress Caller = IPAddress.Parse("203.0.113.7");

    private readonly SecretVerificationQueue _verifications;
    private readonly LocalRateLimiter _localLimiter;

    public ValidatorHarness(RateLimitingOptions? limits = null, int bcryptQueueLength = 64, IRateLimiter? limiter = null)
    {
        var security = new SecurityOptions { BcryptConcurrency = 1, BcryptQueueLength = bcryptQueueLength, CachePepper = new string('p', 32) };
        var limitOptions = Options.Create(limits ?? new RateLimitingOptions());
        var metrics = new KeyMetrics(Meters);
        _verifications = new SecretVerificationQueue(Hasher, Options.Create(security));
        _localLimiter = new LocalRateLimiter(Time);
        ThresholdQueue = new QuotaThresholdQueue(Thresholds, metrics, NullLogger<QuotaThresholdQueue>.Instance);
        Validator = new KeyValidator(
            Store, Cache, _verifications, new SecretCheckBudget(limitOptions, Time), new SecretDigester(Options.Create(security), NullLogger<SecretDigester>.Instance),
            Time, metrics, Usage, limiter ?? _localLimiter, new FailureLimiter(limitOptions, Time), ThresholdQueue, NullLogger<KeyValidator>.Instance);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    public InMemoryKeyStore Store { get; } = new();
    public SnapshotCache Cache { get; } = new();
    public CountingHasher Hasher { get; } = new();
    public TestMeters Meters { get; } = new();
    public UsageLog Usage { get; } = new();
    public RecordingThresholdSink Thresholds { get; } = new();
    public QuotaThresholdQueue ThresholdQueue { get; }
    public KeyValidator Validator { get; }

    /// <summary>Stores a new key (live, owner alice, scope models:read unless <paramref name="shape"/> says otherwise).</summary>
    public async Task<TestKey> AddKeyAsync(Func<ApiKeyRecord, ApiKeyRecord>? shape = null, KeyEnvironment environment = KeyEnvironment.Live)
    {
        var generated = ApiKeyFormat.Generate(environment);
        var record = new ApiKeyRecord
        {
            Id = generated.KeyId, Name = "test", Owner = "alice", Environment = environment, Scopes = ["models:read"],
            CreatedAt = Time.GetUtcNow(), SecretHash = Hasher.Hash(generated.Secret), HashScheme = Hasher.Scheme,
        };
        record = shape?.Invoke(record) ?? record;
        await Store.CreateAsync(record, KeyEvent.Create(KeyEventTypes.Created, record.Id, Hokusai.Keys.Domain.Caller.System, Time.GetUtcNow()), CancellationToken.None);
        return new TestKey(generated.Plaintext, record.Id);
    }

    /// <summary>A well-formed key for the same id with another secret.</summary>
    public static TestKey WrongSecret(TestKey key, KeyEnvironment environment = KeyEnvironment.Live) =>
        new(ApiKeyFormat.Generate(environment, key.Id).Plaintext, key.Id);

    /// <summary>A well-formed key for an id that does not exist.</summary>
    public static TestKey Unknown() { var generated = ApiKeyFormat.Generate(KeyEnvironment.Live); return new(generated.Plaintext, generated.KeyId); }

    public ValueTask<ValidationResult> ValidateAsync(
        TestKey key, ValidationEndpoint endpoint = ValidationEndpoint.Verify, IPAddress? clientIp = null, IReadOnlyList<string>? scopes = null,
        KeyEnvironment? requiredEnvironment = null, int cost = 1, IPAddress? caller = null) =>
        ValidateAsync(key.Plaintext, endpoint, clientIp, scopes, requiredEnvironment, cost, caller);

    public ValueTask<ValidationResult> ValidateAsync(
        string? key, ValidationEndpoint endpoint = ValidationEndpoint.Verify, IPAddress? clientIp = null, IReadOnlyList<string>? scopes = null,
        KeyEnvironment? requiredEnvironment = null, int cost = 1, IPAddress? caller = null) =>
        Validator.ValidateAsync(new ValidationRequest(key, clientIp ?? caller ?? Caller, scopes, endpoint)
        {
            Cost = cost, Caller = caller ?? Caller, RequiredEnvironment = requiredEnvironment,
        }, CancellationToken.None);

    public async ValueTask<ValidationCode> CodeAsync(TestKey key, ValidationEndpoint endpoint = ValidationEndpoint.Verify, IPAddress? caller = null) =>
        (await ValidateAsync(key, endpoint, caller: caller)).Code;

    public async ValueTask DisposeAsync()
    {
        Validator.Dispose();
        await ThresholdQueue.DisposeAsync();
        _verifications.Dispose();
        _localLimiter.Dispose();
        Meters.Dispose();
    }

    /// <summary>One level, always willing to store; counts reads.</summary>
    internal sealed class SnapshotCache : IKeySnapshotCache
    {
        private readonly ConcurrentDictionary<string, KeySnapshot> _entries = new(StringComparer.Ordinal);

        public int Reads;

        public void Clear() => _entries.Clear();

        public ValueTask<KeySnapshot?> TryGetAsync(string keyId, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Reads);
            return ValueTask.FromResult(_entries.GetValueOrDefault(keyId));
        }

        public ValueTask<bool> SetAsync(KeySnapshot snapshot, long loadStarted, CancellationToken cancellationToken)
        {
            _entries[snapshot.Id] = snapshot;
            return ValueTask.FromResult(true);
        }

        public ValueTask InvalidateAsync(string keyId, CancellationToken cancellationToken)
        {
            _entries.TryRemove(keyId, out _);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>SHA-256 in place of bcrypt: fast, counted, and held at <see cref="Hold"/> until <see cref="Release"/>.</summary>
    internal sealed class CountingHasher : ISecretHasher
    {
        private readonly ManualResetEventSlim _released = new(true);
        private int _verifications;

        public int Verifications => Volatile.Read(ref _verifications);

        /// <summary>Signalled each time a verification starts.</summary>
        public SemaphoreSlim Entered { get; } = new(0);

        public string Scheme => "sha256-test";

        public string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(secret)));

        public bool Verify(string secret, string hash, string scheme)
        {
            Interlocked.Increment(ref _verifications);
            Entered.Release();
            _released.Wait(TimeSpan.FromSeconds(30));
            return scheme == Scheme && hash == Hash(secret);
        }

        public void Hold() => _released.Reset();

        public void Release() => _released.Set();
    }

    internal sealed class UsageLog : IUsageRecorder
    {
        private readonly ConcurrentQueue<UsageEvent> _events = new();

        public IReadOnlyList<UsageEvent> Events => [.. _events];

        public void Record(UsageEvent usage) => _events.Enqueue(usage);
    }
}
