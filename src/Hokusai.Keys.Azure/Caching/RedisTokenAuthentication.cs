using System.Text.Json;
using Azure.Core;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Hokusai.Keys.Azure.Caching;

/// <summary>
/// Entra ID sign-in to Azure Managed Redis over StackExchange.Redis (Microsoft.Azure.StackExchangeRedis is not available
/// to this project): user name = the identity's object id (the token's <c>oid</c> claim, so it always matches the token),
/// password = an access token for <see cref="Scope"/>. Before a token expires a new one is fetched; it goes into the
/// configuration, which every reconnect reads, and is sent as <c>AUTH</c> on every connected server, so live connections
/// never outlive their token and traffic is not dropped.
/// </summary>
internal sealed partial class RedisTokenAuthentication : IDisposable
{
    public const string Scope = "https://redis.azure.com/.default";

    /// <summary>After a failed renewal: try again this soon (the current token is still valid for a while).</summary>
    internal static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan MinimumDelay = TimeSpan.FromSeconds(1);

    private readonly TokenCredential _credential;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private ConfigurationOptions? _configuration;
    private IConnectionMultiplexer? _connection;
    private ITimer? _timer;

    public RedisTokenAuthentication(TokenCredential credential, TimeProvider time, ILogger logger)
    {
        _credential = credential;
        _time = time;
        _logger = logger;
    }

    /// <summary>Renewals so far (the first sign-in not counted).</summary>
    public int Renewals { get; private set; }

    /// <summary>Fetches the first token and puts user and password into <paramref name="configuration"/>.</summary>
    public async Task SignInAsync(ConfigurationOptions configuration, CancellationToken cancellationToken)
    {
        _configuration = configuration;
        var token = await _credential.GetTokenAsync(new TokenRequestContext([Scope]), cancellationToken);
        Apply(configuration, token);
        _timer = _time.CreateTimer(_ => _ = RenewOnTimerAsync(), null, RenewalDelay(_time.GetUtcNow(), token), Timeout.InfiniteTimeSpan);
    }

    private async Task RenewOnTimerAsync()
    {
        try
        {
            await RenewAsync(CancellationToken.None);
        }
        catch (ObjectDisposedException)
        {
            // The connection is shutting down.
        }
    }

    /// <summary>The connection whose servers are re-authenticated on each renewal.</summary>
    public void Attach(IConnectionMultiplexer connection) => _connection = connection;

    /// <summary>Fetches a new token, stores it for reconnects and re-authenticates every connected server; schedules the next renewal.</summary>
    internal async Task RenewAsync(CancellationToken cancellationToken)
    {
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            TimeSpan next;
            try
            {
                var token = await _credential.GetTokenAsync(new TokenRequestContext([Scope]), cancellationToken);
                Apply(_configuration!, token);
                Renewals++;
                await ReauthenticateAsync();
                next = RenewalDelay(_time.GetUtcNow(), token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogRenewalFailed(_logger, ex, RetryAfterFailure.TotalSeconds);
                next = RetryAfterFailure;
            }
            _timer?.Change(next, Timeout.InfiniteTimeSpan);
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <summary>
    /// When to renew: at the token's own refresh time if it has one, else after three quarters of its remaining lifetime,
    /// so a failed renewal leaves a quarter of the lifetime for retries.
    /// </summary>
    internal static TimeSpan RenewalDelay(DateTimeOffset now, AccessToken token)
    {
        var lifetime = token.ExpiresOn - now;
        var delay = lifetime * 0.75;
        if (token.RefreshOn is { } refreshOn && refreshOn - now < delay) delay = refreshOn - now;
        return delay < MinimumDelay ? MinimumDelay : delay;
    }

    /// <summary>The <c>oid</c> claim of a JWT access token: the object id Azure Managed Redis expects as user name.</summary>
    internal static string ObjectId(string accessToken)
    {
        var parts = accessToken.Split('.');
        if (parts.Length < 2) throw new InvalidOperationException("The Redis access token is not a JWT.");
        var payload = parts[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        using var json = JsonDocument.Parse(Convert.FromBase64String(payload));
        return json.RootElement.TryGetProperty("oid", out var oid) && oid.GetString() is { Length: > 0 } id
            ? id
            : throw new InvalidOperationException("The Redis access token has no oid claim.");
    }

    private static void Apply(ConfigurationOptions configuration, AccessToken token)
    {
        // StackExchange.Redis reads both when it (re)connects.
        configuration.User = ObjectId(token.Token);
        configuration.Password = token.Token;
    }

    private async Task ReauthenticateAsync()
    {
        if (_connection is not { } connection || _configuration is not { } configuration) return;
        foreach (var endpoint in connection.GetEndPoints())
        {
            var server = connection.GetServer(endpoint);
            if (!server.IsConnected) continue; // it will connect with the new token
            try
            {
                await server.ExecuteAsync("AUTH", configuration.User!, configuration.Password!);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // The server drops the connection when the old token expires; the reconnect then uses the new one.
                LogReauthenticationFailed(_logger, endpoint.ToString() ?? "", ex);
            }
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _refreshing.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the Redis access token failed; retrying in {Seconds} s while the current token lasts")]
    private static partial void LogRenewalFailed(ILogger logger, Exception exception, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-authenticating Redis server {Endpoint} with the renewed token failed; it reconnects with the new token when the server drops it")]
    private static partial void LogReauthenticationFailed(ILogger logger, string endpoint, Exception exception);
}
