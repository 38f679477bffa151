using Azure.Core;
using Hokusai.Keys.Azure.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hokusai.Keys.Azure.Caching;

/// <summary>
/// One multiplexer shared by the cache, the backplane and the rate limiter. <c>abortConnect=false</c> and short
/// timeouts: the app starts and answers while Redis is down, and a dead Redis costs milliseconds per call.
/// Locally a connection string (<c>host:port</c>); in Azure <see cref="RedisOptions.HostName"/> over TLS with an Entra ID
/// token of the managed identity (<see cref="RedisTokenAuthentication"/>).
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly RedisOptions _settings;
    private readonly RedisTokenAuthentication? _authentication;
    private readonly object _gate = new();
    private Task<IConnectionMultiplexer>? _connecting;

    public RedisConnection(IOptions<RedisOptions> options, ILogger<RedisConnection>? logger = null, KeyMetrics? metrics = null)
        : this(options.Value,
            string.IsNullOrWhiteSpace(options.Value.HostName) ? null : AzureCredentials.Create(options.Value.ManagedIdentityClientId),
            TimeProvider.System, logger ?? (ILogger)NullLogger.Instance)
    {
        if (IsConfigured) metrics?.ObserveRedisAvailability(() => IsAvailable);
    }

    /// <summary>With a credential the connection signs in with Entra ID tokens (tests pass a fake one).</summary>
    internal RedisConnection(RedisOptions settings, TokenCredential? credential, TimeProvider time, ILogger logger)
    {
        _settings = settings;
        IsConfigured = !string.IsNullOrWhiteSpace(settings.HostName) || !string.IsNullOrWhiteSpace(settings.ConnectionString);
        KeyPrefix = settings.KeyPrefix;
        if (credential is not null) _authentication = new RedisTokenAuthentication(credential, time, logger);
    }

    public bool IsConfigured { get; }

    public string KeyPrefix { get; }

    /// <summary>Whether the connection is up now; null before the first connection attempt has finished.</summary>
    public bool? IsAvailable
    {
        get
        {
            var connecting = Volatile.Read(ref _connecting);
            if (connecting is null || !connecting.IsCompleted) return null;
            return connecting.IsCompletedSuccessfully && connecting.Result.IsConnected;
        }
    }

    internal RedisTokenAuthentication? Authentication => _authentication;

    /// <summary>The connection; a failed first sign-in (no token) is retried by the next call instead of being kept.</summary>
    public Task<IConnectionMultiplexer> GetAsync()
    {
        var connecting = Volatile.Read(ref _connecting);
        if (connecting is { IsFaulted: false, IsCanceled: false }) return connecting;
        lock (_gate)
        {
            if (_connecting is null || _connecting.IsFaulted || _connecting.IsCanceled) _connecting = ConnectAsync();
            return _connecting;
        }
    }

    private async Task<IConnectionMultiplexer> ConnectAsync()
    {
        var configuration = string.IsNullOrWhiteSpace(_settings.HostName)
            ? ConfigurationOptions.Parse(_settings.ConnectionString!)
            // SslHost: with OSS clustering the shards are announced by address; the certificate names the host.
            : new ConfigurationOptions { EndPoints = { { _settings.HostName, _settings.Port } }, Ssl = true, SslHost = _settings.HostName };
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = _settings.TimeoutMilliseconds * 4;
        configuration.SyncTimeout = _settings.TimeoutMilliseconds;
        configuration.AsyncTimeout = _settings.TimeoutMilliseconds;
        configuration.ConnectRetry = 1;
        configuration.ReconnectRetryPolicy = new LinearRetry(500);
        if (_authentication is not null)
        {
            // RESP3: subscriptions (the backplane) share the interactive connection, so the AUTH of a renewal reaches them
            // too; under RESP2 a subscribed connection refuses AUTH and would be dropped when its token expires.
            configuration.Protocol = RedisProtocol.Resp3;
            try
            {
                await _authentication.SignInAsync(configuration, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not RedisException)
            {
                // Callers treat Redis failures alike (failure mode, cache without L2): no token is one of them.
                throw new RedisConnectionException(ConnectionFailureType.AuthenticationFailure, "No Entra ID token for Redis.", ex);
            }
        }
        var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
        _authentication?.Attach(connection);
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        _authentication?.Dispose();
        var connecting = _connecting;
        if (connecting is null) return;
        try
        {
            await (await connecting).DisposeAsync();
        }
        catch (Exception)
        {
            // Shutting down: a connection that never came up, or the client's close racing its own reconnect work
            // (StackExchange.Redis 2.13 was seen throwing NullReferenceException from CloseAsync), must not fail the
            // host's disposal; there is nothing left to release.
        }
    }
}
