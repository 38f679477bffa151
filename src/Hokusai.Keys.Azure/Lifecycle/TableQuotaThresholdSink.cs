using System.Globalization;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Usage;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Azure.Lifecycle;

/// <summary><see cref="IQuotaThresholdSink"/>: a <c>key.quota_threshold</c> event once per (key, period, period start, percent).</summary>
internal sealed partial class TableQuotaThresholdSink(KeyEventLog log, TimeProvider time, ILogger<TableQuotaThresholdSink> logger) : IQuotaThresholdSink
{
    public async ValueTask QuotaThresholdCrossedAsync(QuotaThreshold threshold, CancellationToken cancellationToken)
    {
        var period = new string(threshold.Period.Where(char.IsAsciiLetterOrDigit).ToArray());
        var onceKey = string.Create(CultureInfo.InvariantCulture,
            $"quota_{period}_{threshold.PeriodStart.UtcDateTime:yyyyMMddHHmm}_{threshold.Percent}");
        var evt = KeyEvent.Create(KeyEventTypes.QuotaThreshold, threshold.KeyId, Caller.System, time.GetUtcNow(), new Dictionary<string, string>
        {
            ["period"] = threshold.Period,
            ["periodStart"] = threshold.PeriodStart.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["percent"] = threshold.Percent.ToString(CultureInfo.InvariantCulture),
            ["used"] = threshold.Used.ToString(CultureInfo.InvariantCulture),
            ["limit"] = threshold.Limit.ToString(CultureInfo.InvariantCulture),
        });
        try
        {
            await log.AppendOnceAsync(evt, onceKey, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, threshold.KeyId, threshold.Percent, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording the {Percent} % quota threshold of key {KeyId} failed")]
    private static partial void LogFailed(ILogger logger, string keyId, int percent, Exception exception);
}
