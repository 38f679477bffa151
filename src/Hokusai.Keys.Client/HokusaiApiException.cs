using System.Net;

namespace Hokusai.Keys.Client;

/// <summary>
/// A problem answer of the API (RFC 9457): <see cref="Status"/>, the machine <see cref="Code"/>, the human
/// <see cref="Detail"/> and, for validation problems, per-field <see cref="Errors"/>. Also thrown (status 0, code
/// <c>UNREACHABLE</c>) when the API cannot be reached. Never carries an API key.
/// </summary>
public sealed class HokusaiApiException : Exception
{
    // Codes the client gives answers that did not come from the API as problems (the API's own: ErrorCodes).
    /// <summary><see cref="Code"/> when the API could not be reached (<see cref="Status"/> 0).</summary>
    public const string UnreachableCode = "UNREACHABLE";
    /// <summary><see cref="Code"/> when the call took longer than the client's timeout (<see cref="Status"/> 0).</summary>
    public const string TimeoutCode = "TIMEOUT";
    /// <summary><see cref="Code"/> when the API answered with a body the client cannot read.</summary>
    public const string InvalidResponseCode = "INVALID_RESPONSE";

    /// <summary>With the status appended (<c>HTTP_502</c>): a non-problem answer of another status.</summary>
    public const string HttpStatusCodePrefix = "HTTP_";

    /// <summary>A problem answer, or a failure to get one.</summary>
    /// <param name="status">HTTP status; 0 when no answer came.</param>
    /// <param name="code">Machine code (<see cref="ErrorCodes"/>, or one of this class's codes).</param>
    /// <param name="detail">What went wrong, for people.</param>
    /// <param name="errors">Field name → messages, for validation problems.</param>
    /// <param name="retryAfter">When to try again, if the answer said.</param>
    /// <param name="innerException">The failure behind it, if any.</param>
    public HokusaiApiException(int status, string code, string detail, IReadOnlyDictionary<string, string[]>? errors = null,
        TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(Describe(status, code, detail, errors), innerException)
    {
        Status = status;
        Code = code;
        Detail = detail;
        Errors = errors ?? new Dictionary<string, string[]>();
        RetryAfter = retryAfter;
    }

    /// <summary>HTTP status; 0 when no answer came.</summary>
    public int Status { get; }

    /// <summary>Machine code, e.g. <c>VALIDATION_FAILED</c>, <c>NOT_FOUND</c>, <c>UNAUTHENTICATED</c>.</summary>
    public string Code { get; }

    /// <summary>What went wrong, for people (the problem's <c>detail</c>).</summary>
    public string Detail { get; }

    /// <summary>Field name → messages, for validation problems; empty otherwise.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>The Retry-After of a 429/503 answer, when sent.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary><see cref="Status"/> as an <see cref="HttpStatusCode"/>.</summary>
    public HttpStatusCode StatusCode => (HttpStatusCode)Status;

    private static string Describe(int status, string code, string detail, IReadOnlyDictionary<string, string[]>? errors)
    {
        var text = $"{detail} ({code}{(status > 0 ? ", HTTP " + status : "")})";
        if (errors is { Count: > 0 })
            text += " " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}"));
        return text;
    }
}
