using System.Text.Json;
using Hokusai.Keys.Api.Http;
using Hokusai.Keys.Api.Leaks;
using Hokusai.Keys.Api.Models;
using Hokusai.Keys.Leaks;
using Hokusai.Keys.Management;
using Hokusai.Keys.Validation;
using Microsoft.AspNetCore.Http;

namespace Hokusai.Keys.Api.Handlers;

/// <summary>
/// Leak reports: <c>POST /api/leaks/github</c> (GitHub's secret scanning partner program, authenticated by GitHub's
/// signature of the raw body) and <c>POST /api/keys/report-leak</c> (anyone presenting a leaked key). Both hand the
/// tokens to <see cref="LeakReportService"/>; neither answer nor log carries a token, only its SHA-256.
/// </summary>
public sealed class LeakReportsApi(LeakReportService leaks, GitHubKeyRing gitHubKeys, ClientIpResolver clientIps, ApiErrorBoundary boundary)
{
    public const string KeyIdentifierHeader = "GITHUB-PUBLIC-KEY-IDENTIFIER";
    public const string SignatureHeader = "GITHUB-PUBLIC-KEY-SIGNATURE";
    public const int MaxGitHubBodyBytes = 1024 * 1024;
    public const string GitHubReporter = "github";
    public const string SelfReporter = "self";
    private const string TooManyFailuresRetryAfter = "60";

    // GitHub may add fields to a match: unknown ones are ignored (unlike our own routes' bodies).
    private static readonly JsonSerializerOptions GitHubJson = new(JsonSerializerDefaults.Web) { MaxDepth = 8 };

    public Task<ApiResult> GitHubAsync(ApiCall call) => boundary.RunAsync(call.Request, ct => GitHubCoreAsync(call.Request, ct));

    public Task<ApiResult> ReportLeakAsync(ApiCall call) => boundary.RunAsync(call.Request, ct => ReportLeakCoreAsync(call.Request, ct));

    private async Task<ApiResult> GitHubCoreAsync(HttpRequest request, CancellationToken ct)
    {
        var body = await ReadBoundedAsync(request, MaxGitHubBodyBytes, ct);
        if (body is null) return Problems.BadRequest(ErrorCodes.BodyTooLarge, $"The body must be at most {MaxGitHubBodyBytes} bytes.");

        // The signature first: an unsigned caller learns nothing about the body, and nothing changes.
        if (!request.Headers.TryGetValue(KeyIdentifierHeader, out var identifier) || identifier.Count != 1 || string.IsNullOrEmpty(identifier[0])
            || !request.Headers.TryGetValue(SignatureHeader, out var signature) || signature.Count != 1 || string.IsNullOrEmpty(signature[0]))
        {
            return Unsigned($"Send {KeyIdentifierHeader} and {SignatureHeader}.");
        }
        if (!await gitHubKeys.VerifyAsync(identifier[0]!, signature[0]!, body, ct))
            return Unsigned("The signature does not verify with a known GitHub key.");

        List<GitHubLeakMatch?>? matches;
        try
        {
            matches = JsonSerializer.Deserialize<List<GitHubLeakMatch?>>(body, GitHubJson);
        }
        catch (JsonException)
        {
            return Problems.BadRequest(ErrorCodes.InvalidJson, "The body must be a JSON array of {token, type, url, source}.");
        }
        if (matches is null || matches.Any(m => m is null || string.IsNullOrEmpty(m.Token)))
            return Problems.BadRequest(ErrorCodes.InvalidJson, "The body must be a JSON array of {token, type, url, source}, each with a token.");

        var tokens = matches.Select(m => new LeakedToken(m!.Token!, m.Type, m.Url, m.Source)).ToList();
        var verdicts = await leaks.ReportAsync(tokens, GitHubReporter, clientIps.Resolve(request.HttpContext), throttleReporter: false, ct);
        // Tokens we could not decide on are retried by GitHub; those already handled then answer false_positive.
        if (verdicts.FirstOrDefault(v => v.Undecided is not null) is { Undecided: { } undecided }) return Undecided(undecided);
        return ApiResult.Json(StatusCodes.Status200OK, verdicts.Select(v =>
            new GitHubLeakVerdict(v.TokenHash, v.TokenType, v.IsTruePositive ? GitHubLeakVerdict.TruePositive : GitHubLeakVerdict.FalsePositive)).ToList());
    }

    private async Task<ApiResult> ReportLeakCoreAsync(HttpRequest request, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync<ReportLeakRequest>(request, required: true, ct);
        if (body.Problem is not null) return body.Problem;
        var report = body.Value!;
        if (string.IsNullOrEmpty(report.Key)) return Problems.Invalid("key", "is required");
        if (report.Url is { Length: > LeakReportService.MaxUrlLength }) return Problems.Invalid("url", $"at most {LeakReportService.MaxUrlLength} characters");

        // Unauthenticated: the key is the proof. Keys that are not ours count against the caller like failed verifications.
        var verdicts = await leaks.ReportAsync([new LeakedToken(report.Key, null, report.Url, null)], SelfReporter, clientIps.Resolve(request.HttpContext),
            throttleReporter: true, ct);
        var verdict = verdicts[0];
        if (verdict.Undecided is { } undecided) return Undecided(undecided);
        var action = verdict.Outcome switch
        {
            LeakOutcome.Revoked => "revoked",
            LeakOutcome.Flagged or LeakOutcome.AlreadyFlagged => "flagged",
            _ => "none",
        };
        return ApiResult.Json(StatusCodes.Status200OK,
            new ReportLeakResponse(verdict.TokenHash, verdict.IsTruePositive ? GitHubLeakVerdict.TruePositive : GitHubLeakVerdict.FalsePositive, action));
    }

    private static ApiResult Unsigned(string detail) => Problems.Unauthorized(ErrorCodes.InvalidSignature, detail);

    private static ApiResult Undecided(ValidationCode code) => code switch
    {
        ValidationCode.TooManyFailures => ApiResult.Problem(ProblemResponse.Create(429, code.ToWire(), "Too many failed verifications from this caller; retry later."))
            .WithHeader("Retry-After", TooManyFailuresRetryAfter),
        ValidationCode.VerificationBusy => ApiResult.Problem(ProblemResponse.Create(503, code.ToWire(), "Too many keys are being checked right now; retry shortly."))
            .WithHeader("Retry-After", "1"),
        _ => Problems.Unavailable("Key storage is unavailable; retry the report shortly."),
    };

    /// <summary>The raw body (the signature covers its exact bytes), or null when it is longer than <paramref name="maxBytes"/>.</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
