using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hokusai.Keys.Azure.Caching;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Security;
using Hokusai.Keys.Testing;
using Hokusai.Keys.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hokusai.Keys.Azure.Tests;

/// <summary>
/// Every field of a cached <see cref="KeySnapshot"/> is under the Redis entry's MAC: each travels through Redis, and
/// changing any one of them there makes the entry a counted miss. Driven by reflection, so a property added to the
/// snapshot fails here until the sample below sets it.
/// </summary>
public sealed class KeySnapshotMacCoverageTests
{
    private static KeySnapshot Sample(string id) => new()
    {
        Id = id,
        Exists = true,
        Owner = "owner-1",
        Name = "name-1",
        Environment = KeyEnvironment.Test,
        Scopes = ["read", "write"],
        RateLimit = new RateLimitPolicy(50, 10),
        Quota = new QuotaPolicy(1000, "month"),
        QuotaId = "quota-1",
        AllowedIps = ["10.0.0.0/8"],
        Metadata = new Dictionary<string, string> { ["team"] = "blue" },
        ExpiresAt = new DateTimeOffset(2031, 1, 2, 3, 4, 5, TimeSpan.Zero),
        RevokedAt = new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.Zero),
        SuspendedAt = new DateTimeOffset(2030, 6, 7, 8, 9, 10, TimeSpan.Zero),
        RotatedToId = "successor0000001",
        LeakedAt = new DateTimeOffset(2030, 7, 8, 9, 10, 11, TimeSpan.Zero),
        LeakPolicy = KeyLeakPolicy.Notify,
        VerifiedDigest = Enumerable.Range(1, SecretDigester.DigestLength).Select(i => (byte)i).ToArray(),
    };

    private static IEnumerable<PropertyInfo> StoredProperties() => typeof(KeySnapshot)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is null);

    [Fact]
    public async Task Every_snapshot_field_travels_through_Redis_and_changing_any_of_them_there_is_refused()
    {
        var sample = Sample("macCoverage0001");
        foreach (var property in StoredProperties())
        {
            var value = property.GetValue(sample);
            Assert.True(value is not null && value is not (System.Collections.ICollection { Count: 0 }),
                $"the sample leaves {property.Name} empty: set it, so the test below covers it");
        }

        var redis = await SharedInfrastructure.RedisAsync();
        var prefix = "mac-" + Guid.NewGuid().ToString("N")[..8];
        await using var connection = new RedisConnection(Options.Create(new RedisOptions { ConnectionString = redis.ConnectionString, KeyPrefix = prefix, TimeoutMilliseconds = 5000 }));
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        var metrics = new KeyMetrics(meterFactory);
        var digester = new SecretDigester(Options.Create(new SecurityOptions { CachePepper = new string('m', 40) }), NullLogger<SecretDigester>.Instance);
        FusionKeySnapshotCache NewCache() => new(
            Options.Create(new CacheOptions { LocalSeconds = 30, SharedSeconds = 600, NotFoundSeconds = 10 }),
            connection, digester, metrics, NullLoggerFactory.Instance);

        long rejected = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meterFactory) && instrument.Name == "hokusai.cache.entries_rejected") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "reason" && Equals(tag.Value, KeyMetrics.RejectedIntegrity)) Interlocked.Add(ref rejected, value);
        });
        listener.Start();

        // Kept until the entry is in Redis: the write runs in the background.
        using var writer = NewCache();
        Assert.True(await writer.SetAsync(sample, Stopwatch.GetTimestamp(), CancellationToken.None));

        await using var multiplexer = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},syncTimeout=10000,asyncTimeout=10000");
        var database = multiplexer.GetDatabase();
        var entry = await FindEntryAsync(multiplexer, prefix, sample.Id);
        var original = (byte[])(await database.HashGetAsync(entry, "data"))!;

        // Untouched, a fresh instance (empty L1) reads every field back. Polled: a Redis read slower than the cache's
        // hard timeout is a miss on a busy machine.
        using (var reader = NewCache())
        {
            KeySnapshot? read = null;
            var until = Stopwatch.StartNew();
            while (read is null && until.Elapsed < TimeSpan.FromSeconds(30))
                read = await reader.TryGetAsync(sample.Id, CancellationToken.None);
            Assert.NotNull(read);
            Assert.Equal(JsonSerializer.Serialize(sample), JsonSerializer.Serialize(read));
        }

        // The edits are read through the authenticating layer itself, which has no timeout: each read is checked. A
        // connection of its own: disposing a cache closes the one it was given.
        await using var direct = new RedisConnection(Options.Create(new RedisOptions { ConnectionString = redis.ConnectionString, KeyPrefix = prefix, TimeoutMilliseconds = 5000 }));
        var authenticated = new AuthenticatedDistributedCache(
            new Microsoft.Extensions.Caching.StackExchangeRedis.RedisCache(new Microsoft.Extensions.Caching.StackExchangeRedis.RedisCacheOptions { ConnectionMultiplexerFactory = direct.GetAsync }),
            digester, metrics, NullLogger.Instance);
        Assert.NotNull(await authenticated.GetAsync(entry.ToString()));

        var text = Encoding.Latin1.GetString(original);
        var snapshotAt = text.IndexOf($"\"Id\":\"{sample.Id}\"", StringComparison.Ordinal);
        Assert.True(snapshotAt >= 0, "the snapshot is not in the stored entry");
        foreach (var property in StoredProperties())
        {
            var edited = Change(text, snapshotAt, property.Name);
            await database.HashSetAsync(entry, "data", Encoding.Latin1.GetBytes(edited));
            var before = Interlocked.Read(ref rejected);
            Assert.True(await authenticated.GetAsync(entry.ToString()) is null, $"an entry with {property.Name} changed in Redis was accepted");
            Assert.True(Interlocked.Read(ref rejected) == before + 1, $"changing {property.Name} was not counted as an integrity failure");
            await database.HashSetAsync(entry, "data", original);
        }
    }

    private static async Task<RedisKey> FindEntryAsync(IConnectionMultiplexer multiplexer, string prefix, string keyId)
    {
        var server = multiplexer.GetServers().Single();
        var until = Stopwatch.StartNew();
        while (until.Elapsed < TimeSpan.FromSeconds(30)) // written in the background; generous for a busy machine
        {
            await foreach (var key in server.KeysAsync(pattern: $"*{prefix}:key:{keyId}")) return key;
            await Task.Delay(20);
        }
        throw new Xunit.Sdk.XunitException("the entry never reached Redis");
    }

    /// <summary>The stored JSON with <paramref name="name"/>'s value changed, still valid JSON where the value allows.</summary>
    private static string Change(string stored, int snapshotAt, string name)
    {
        var label = $"\"{name}\":";
        var at = stored.IndexOf(label, snapshotAt, StringComparison.Ordinal);
        Assert.True(at >= 0, $"{name} is not in the stored entry, so it is not under the MAC");
        var value = at + label.Length;
        if (string.CompareOrdinal(stored, value, "true", 0, 4) == 0) return string.Concat(stored.AsSpan(0, value), "false", stored.AsSpan(value + 4));
        if (string.CompareOrdinal(stored, value, "false", 0, 5) == 0) return string.Concat(stored.AsSpan(0, value), "true", stored.AsSpan(value + 5));
        while ("\"[{".Contains(stored[value], StringComparison.Ordinal)) value++;
        var replacement = char.IsDigit(stored[value]) ? (char)('0' + (stored[value] - '0' + 1) % 10) : stored[value] == 'x' ? 'y' : 'x';
        return string.Concat(stored.AsSpan(0, value), replacement.ToString(), stored.AsSpan(value + 1));
    }
}
