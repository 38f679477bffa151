using System.Security.Cryptography;
using System.Text;
using Hokusai.Keys.Management;
using Hokusai.Keys.Validation;
using Microsoft.Extensions.Logging;

namespace Hokusai.Keys.Leaks;

/// <summary>
/// Leak reports → automatic revocation. Each reported token is checked like a presented key (format, checksum, secret;
/// the validator's per-caller failure throttle, bcrypt budget and cache), and only a token that is a key of ours with
/// the right secret is acted on (<see cref="KeyManagementService.ReportLeakAsync"/>): a report cannot touch a key
/// without presenting it. Tokens appear in answers and logs only as their SHA-256.
/// </summary>
public sealed partial class LeakReportService(KeyValidator validator, KeyManagementService keys, KeyMetrics metrics, ILogger<LeakReportService> logger)
{
    public const int MaxUrlLength = 2048;
    public const int MaxSourceLength = 64;

    public async Task<IReadOnlyList<LeakVerdict>> ReportAsync(
        IReadOnlyList<LeakedToken> tokens, string reporter, System.Net.IPAddress? reporterIp, bool throttleReporter, CancellationToken cancellationToken)
    {
        var verdicts = new List<LeakVerdict>(tokens.Count);
        foreach (var token in tokens)
            verdicts.Add(await ReportOneAsync(token, reporter, reporterIp, throttleReporter, cancellationToken));
        return verdicts;
    }

    private async Task<LeakVerdict> ReportOneAsync(
        LeakedToken token, string reporter, System.Net.IPAddress? reporterIp, bool throttleReporter, CancellationToken cancellationToken)
    {
        var hash = Sha256Hex(token.Token);
        // A reporter we authenticated (GitHub, by signature) is not counted as a guesser: most of what it sends is not ours.
        var result = await validator.ValidateAsync(
            new ValidationRequest(token.Token, null, null, ValidationEndpoint.LeakReport) { Caller = throttleReporter ? reporterIp : null },
            cancellationToken);
        if (result.Key is not { } key)
        {
            return result.Code is ValidationCode.TooManyFailures or ValidationCode.Unavailable or ValidationCode.VerificationBusy
                ? new LeakVerdict(hash, token.Type, false, null, result.Code)
                : new LeakVerdict(hash, token.Type, false, null);
        }
        if (result.Code is ValidationCode.Revoked or ValidationCode.Expired) return new LeakVerdict(hash, token.Type, false, LeakOutcome.NotActive);

        var report = new LeakReport(reporter, reporterIp?.ToString(), Bounded(token.Url, MaxUrlLength), Bounded(token.Source, MaxSourceLength));
        var outcome = await keys.ReportLeakAsync(key.Id, report, cancellationToken);
        if (outcome is LeakOutcome.Revoked or LeakOutcome.Flagged)
        {
            LogLeak(logger, key.Id, hash, reporter, outcome);
            metrics.LeakReported(reporter, outcome == LeakOutcome.Revoked ? "revoked" : "flagged");
        }
        return new LeakVerdict(hash, token.Type, outcome != LeakOutcome.NotActive, outcome);
    }

    /// <summary>SHA-256 of the token's UTF-8 bytes, lower-case hex: how a token is named in answers and logs.</summary>
    public static string Sha256Hex(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string? Bounded(string? value, int max)
    {
        if (value is null) return null;
        var clean = new string(value.Where(c => !char.IsControl(c)).ToArray());
        return clean.Length <= max ? clean : clean[..max];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leak of key {KeyId} (token sha256 {TokenHash}) reported by {Reporter}: {Outcome}")]
    private static partial void LogLeak(ILogger logger, string keyId, string tokenHash, string reporter, LeakOutcome outcome);
}
