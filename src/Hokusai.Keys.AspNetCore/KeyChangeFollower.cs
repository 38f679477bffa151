using Hokusai.Keys.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.AspNetCore;

/// <summary>
/// Follows the change feed (<c>GET /api/keys/changes</c>, long-polls) for every Hokusai scheme with a
/// <see cref="HokusaiApiKeyOptions.ServiceKey"/>, and evicts the cached answers of the keys it names. While a scheme's
/// feed answers, its valid answers may live <see cref="HokusaiApiKeyOptions.FollowedValidCacheDuration"/>; when a call
/// fails, the scheme falls back at once to the short duration and retries (a resumed feed catches up from its cursor).
/// 410 CURSOR_EXPIRED (away longer than the feed keeps changes) drops every cached answer and starts from now.
/// </summary>
internal sealed partial class KeyChangeFollower(
    IEnumerable<FollowedScheme> schemes, IOptionsMonitor<HokusaiApiKeyOptions> options, HokusaiClientRegistry clients, TimeProvider time, ILogger<KeyChangeFollower> logger)
    : BackgroundService
{
    /// <summary>The long-poll's wait: the server's default bound (a server configured lower answers 400, a bug to see in the log).</summary>
    internal static readonly TimeSpan Wait = TimeSpan.FromSeconds(25);

    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(schemes.DistinctBy(s => s.Name).Select(s => FollowAsync(s.Name, stoppingToken)));

    private async Task FollowAsync(string scheme, CancellationToken stoppingToken)
    {
        var settings = options.Get(scheme);
        if (string.IsNullOrEmpty(settings.ServiceKey)) return;
        var answers = clients.Answers;
        var feed = answers.Feed(scheme);
        using var client = new HokusaiKeysClient(WithServiceKey(settings.Client, settings.ServiceKey));
        string? cursor = null;
        var retryDelay = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var page = await client.GetKeyChangesAsync(cursor, Wait, stoppingToken);
                var now = time.GetUtcNow();
                // Evict before counting the feed as followed: answers cached from now on already see these changes.
                foreach (var change in page.Changes) answers.Evict(change.KeyId, now);
                feed.Answered(page, Wait, now);
                cursor = page.Cursor;
                retryDelay = TimeSpan.FromMilliseconds(250);
                answers.Forget(now - Longest(settings) - AnswerCache.SettleAfterChange);
                continue;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (HokusaiApiException ex) when (ex.Status == 410)
            {
                feed.Lost();
                answers.Clear();
                cursor = null;
                LogCursorExpired(logger, scheme);
                continue;
            }
            catch (Exception ex)
            {
                feed.Lost();
                LogFeedFailed(logger, scheme, (ex as HokusaiApiException)?.Code ?? ex.GetType().Name, retryDelay.TotalSeconds);
            }
            try
            {
                await Task.Delay(retryDelay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            retryDelay = retryDelay * 2 < MaxRetryDelay ? retryDelay * 2 : MaxRetryDelay;
        }
        feed.Lost();
    }

    private static TimeSpan Longest(HokusaiApiKeyOptions settings) =>
        new[] { settings.FollowedValidCacheDuration, settings.ValidCacheDuration, settings.InvalidCacheDuration }.Max();

    /// <summary>The handler's client settings, authenticated with the service key.</summary>
    private static HokusaiKeysClientOptions WithServiceKey(HokusaiKeysClientOptions client, string serviceKey) => new()
    {
        Endpoint = client.Endpoint,
        ApiKey = serviceKey,
        Profile = client.Profile,
        ConfigFilePath = client.ConfigFilePath,
        EnvironmentVariables = client.EnvironmentVariables,
        UseGlobalSetup = client.UseGlobalSetup,
        HttpClient = client.HttpClient,
        HttpMessageHandler = client.HttpMessageHandler,
        Timeout = client.Timeout,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hokusai change feed of scheme {Scheme} failed ({Code}); valid answers are cached briefly until it is back (retry in {Seconds} s)")]
    private static partial void LogFeedFailed(ILogger logger, string scheme, string code, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hokusai change feed of scheme {Scheme}: the cursor expired; every cached answer was dropped")]
    private static partial void LogCursorExpired(ILogger logger, string scheme);
}
