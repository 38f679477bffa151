using System.Collections.Concurrent;
using Hokusai.Keys.Client;
using Hokusai.Keys.Client.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hokusai.Keys.AspNetCore;

/// <summary>
/// Sends the uses <see cref="HokusaiCachedUseCounter"/> counted to <c>POST /api/usage/report</c>, at most every
/// <see cref="Interval"/>, with each scheme's <see cref="HokusaiApiKeyOptions.ServiceKey"/>. A report gets its id when it
/// is made and keeps it (and its entries) through every retry, so the platform applies it once however often it is sent.
/// A report that fails for a reason that may pass (unreachable, timeout, 5xx, 429) waits and is sent again next round,
/// in order; at most <see cref="MaxPendingReports"/> wait per scheme, beyond that the oldest is dropped. A report the
/// platform refuses for good (another 4xx) is dropped. Every drop is counted (<see cref="HokusaiHandlerMetrics"/>) and
/// logged. Stopping the host sends what is counted once more.
/// </summary>
internal sealed partial class HokusaiUsageReporter(
    HokusaiCachedUseCounter counter,
    IOptionsMonitor<HokusaiApiKeyOptions> options,
    HokusaiHandlerMetrics metrics,
    ILogger<HokusaiUsageReporter> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Reports waiting per scheme: with a report a second, a couple of minutes of the platform being away.</summary>
    public const int MaxPendingReports = 120;

    private readonly ConcurrentDictionary<string, SchemeReports> _schemes = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _flushing = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await FlushAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A fault must not end the rounds (nothing would be reported again) nor stop the host; reports keep their ids.
                    LogRoundFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Stops the rounds, then sends what was counted until now (within the host's shutdown time).</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        foreach (var scheme in _schemes.Values)
        {
            var left = scheme.Pending.Sum(r => r.Uses);
            if (left > 0)
            {
                metrics.Dropped(left, HokusaiHandlerMetrics.Shutdown);
                LogShutdownLoss(logger, left, scheme.Name);
            }
        }
    }

    public override void Dispose()
    {
        foreach (var scheme in _schemes.Values) scheme.Client?.Dispose();
        _flushing.Dispose();
        base.Dispose();
    }

    /// <summary>One round: what was counted becomes reports, then each scheme sends its waiting reports in order.</summary>
    internal async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            var (counts, dropped) = counter.Take();
            if (dropped > 0) LogCounterFull(logger, dropped, HokusaiCachedUseCounter.MaxEntries);
            foreach (var group in counts.GroupBy(c => c.Key.Scheme, StringComparer.Ordinal))
            {
                var scheme = _schemes.GetOrAdd(group.Key, name => new SchemeReports(name));
                foreach (var report in MakeReports(group.Select(c => (c.Key.KeyId, c.Key.ClientIp, c.Value))))
                {
                    if (scheme.Pending.Count >= MaxPendingReports)
                    {
                        var oldest = scheme.Pending.Dequeue();
                        metrics.Dropped(oldest.Uses, HokusaiHandlerMetrics.BacklogFull);
                        LogBacklogFull(logger, oldest.Uses, scheme.Name, MaxPendingReports);
                    }
                    scheme.Pending.Enqueue(report);
                }
            }
            foreach (var scheme in _schemes.Values) await SendAsync(scheme, cancellationToken);
        }
        finally
        {
            _flushing.Release();
        }
    }

    private async Task SendAsync(SchemeReports scheme, CancellationToken cancellationToken)
    {
        while (scheme.Pending.TryPeek(out var report))
        {
            var settings = options.Get(scheme.Name);
            if (settings.ServiceKey is null)
            {
                // The service key was taken away while uses waited: nobody may report them.
                scheme.Pending.Dequeue();
                metrics.Dropped(report.Uses, HokusaiHandlerMetrics.Refused);
                LogNoServiceKey(logger, report.Uses, scheme.Name);
                continue;
            }
            scheme.Client ??= new HokusaiKeysClient(new HokusaiKeysClientOptions
            {
                Endpoint = settings.Client.Endpoint,
                ApiKey = settings.ServiceKey,
                Profile = settings.Client.Profile,
                ConfigFilePath = settings.Client.ConfigFilePath,
                EnvironmentVariables = settings.Client.EnvironmentVariables,
                UseGlobalSetup = settings.Client.UseGlobalSetup,
                HttpClient = settings.Client.HttpClient,
                HttpMessageHandler = settings.Client.HttpMessageHandler,
                Timeout = settings.Client.Timeout,
            });
            try
            {
                var result = await scheme.Client.ReportUsageAsync(report.Id, report.Entries, cancellationToken);
                scheme.Pending.Dequeue();
                metrics.Reported(result.Uses);
                // Keys of other owners (or environments) than the service key's: the platform does not count their uses.
                if (result.Uses < report.Uses)
                {
                    metrics.Dropped(report.Uses - result.Uses, HokusaiHandlerMetrics.NotCovered);
                    LogSkipped(logger, report.Uses - result.Uses, result.SkippedKeys, scheme.Name);
                }
            }
            catch (HokusaiApiException ex) when (ex.Status is >= 400 and < 500 and not (408 or 429))
            {
                scheme.Pending.Dequeue();
                metrics.Dropped(report.Uses, HokusaiHandlerMetrics.Refused);
                LogRefused(logger, report.Uses, scheme.Name, ex.Status, ex.Code);
            }
            catch (HokusaiApiException ex)
            {
                // Kept, with its id, for the next round.
                LogRetry(logger, report.Uses, scheme.Name, ex.Code);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRetry(logger, report.Uses, scheme.Name, ex.GetType().Name);
                return;
            }
        }
    }

    /// <summary>Counts as reports within the platform's bounds: entries of at most the largest count, reports of at most the most entries and uses.</summary>
    internal static List<PendingReport> MakeReports(IEnumerable<(string KeyId, string? ClientIp, long Count)> counts)
    {
        var reports = new List<PendingReport>();
        var entries = new List<UsageReportEntry>();
        long uses = 0;
        foreach (var (keyId, clientIp, count) in counts.OrderBy(c => c.KeyId, StringComparer.Ordinal).ThenBy(c => c.ClientIp, StringComparer.Ordinal))
        {
            for (var left = count; left > 0;)
            {
                if (entries.Count == UsageReportEntry.MaxEntries || uses == UsageReportEntry.MaxUsesPerReport) Close();
                var take = Math.Min(Math.Min(left, UsageReportEntry.MaxCount), UsageReportEntry.MaxUsesPerReport - uses);
                entries.Add(new UsageReportEntry(keyId, clientIp, take));
                uses += take;
                left -= take;
            }
        }
        if (entries.Count > 0) Close();
        return reports;

        void Close()
        {
            reports.Add(new PendingReport(Guid.NewGuid(), entries, uses));
            entries = [];
            uses = 0;
        }
    }

    /// <summary>A report made once and sent as is until the platform takes it.</summary>
    internal sealed record PendingReport(Guid Id, IReadOnlyList<UsageReportEntry> Entries, long Uses);

    private sealed class SchemeReports(string name)
    {
        public string Name { get; } = name;
        public Queue<PendingReport> Pending { get; } = new();
        public HokusaiKeysClient? Client { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Usage report of {Uses} cached uses (scheme {Scheme}) not taken ({Code}); kept and sent again with the same id")]
    private static partial void LogRetry(ILogger logger, long uses, string scheme, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Uses} cached uses of {Keys} keys (scheme {Scheme}) were not counted: the service key may not report them (another owner or environment)")]
    private static partial void LogSkipped(ILogger logger, long uses, int keys, string scheme);

    [LoggerMessage(Level = LogLevel.Error, Message = "Usage report of {Uses} cached uses (scheme {Scheme}) refused for good (HTTP {Status} {Code}); dropped")]
    private static partial void LogRefused(ILogger logger, long uses, string scheme, int status, string code);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Uses} cached uses (scheme {Scheme}) dropped: {Max} usage reports already wait to be sent")]
    private static partial void LogBacklogFull(ILogger logger, long uses, string scheme, int max);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Uses} cached uses dropped: the use counter already held {Max} entries")]
    private static partial void LogCounterFull(ILogger logger, long uses, int max);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Uses} cached uses (scheme {Scheme}) dropped: the scheme has no ServiceKey any more")]
    private static partial void LogNoServiceKey(ILogger logger, long uses, string scheme);

    [LoggerMessage(Level = LogLevel.Error, Message = "A usage reporting round failed; counted uses wait for the next")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shutdown left {Uses} cached uses (scheme {Scheme}) unreported; dropped")]
    private static partial void LogShutdownLoss(ILogger logger, long uses, string scheme);
}
