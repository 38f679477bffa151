using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hokusai.Keys.Azure.Caching;

/// <summary>
/// One multiplexer shared by the cache, the backplane and the rate limiter. <c>abortConnect=false</c> and short
/// timeouts: the app starts and answers while Redis is down, and a dead Redis costs milliseconds per call.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly Lazy<Task<IConnectionMultiplexer>> _connection;

    public RedisConnection(IOptions<RedisOptions> options)
    {
        var settings = options.Value;
        IsConfigured = !string.IsNullOrWhiteSpace(settings.ConnectionString);
        KeyPrefix = settings.KeyPrefix;
        _connection = new Lazy<Task<IConnectionMultiplexer>>(async () =>
        {
            var configuration = ConfigurationOptions.Parse(settings.ConnectionString!);
            configuration.AbortOnConnectFail = false;
            configuration.ConnectTimeout = settings.TimeoutMilliseconds * 4;
            configuration.SyncTimeout = settings.TimeoutMilliseconds;
            configuration.AsyncTimeout = settings.TimeoutMilliseconds;
            configuration.ConnectRetry = 1;
            configuration.ReconnectRetryPolicy = new LinearRetry(500);
            return await ConnectionMultiplexer.ConnectAsync(configuration);
        });
    }

    public bool IsConfigured { get; }

    public string KeyPrefix { get; }

    public Task<IConnectionMultiplexer> GetAsync() => _connection.Value;

    public async ValueTask DisposeAsync()
    {
        if (!_connection.IsValueCreated) return;
        try
        {
            await (await _connection.Value).DisposeAsync();
        }
        catch (Exception)
        {
            // Shutting down: a connection that never came up, or the client's close racing its own reconnect work
            // (StackExchange.Redis 2.13 was seen throwing NullReferenceException from CloseAsync), must not fail the
            // host's disposal; there is nothing left to release.
        }
    }
}
