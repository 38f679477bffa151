
namespace Hokusai.Keys.Api.Http;

/// <summary>Builds problem results; the mapping from domain error kinds to statuses lives here only.</summary>
public static class Problems
{
    public const string RetryAfterSeconds = "5";

    /// <summary>The <c>WWW-Authenticate</c> challenge of every 401.</summary>
    public const string BearerChallenge = "Bearer";

    public static ApiResult BadRequest(string code, string detail, IReadOnlyDictionary<string, string[]>? errors = null) =>
        ApiResult.Problem(ProblemResponse.Create(400, code, detail, errors));

    /// <summary>The validation problem (<c>VALIDATION_FAILED</c> with per-field errors), the same shape as the domain rules raise.</summary>
    public static ApiResult Invalid(IReadOnlyDictionary<string, string[]> errors) => From(DomainException.Invalid(errors));

    public static ApiResult Invalid(string field, string message) => Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static ApiResult Unauthorized(string code, string detail) =>
        ApiResult.Problem(ProblemResponse.Create(401, code, detail)).WithHeader("WWW-Authenticate", BearerChallenge);

    public static ApiResult Forbidden(string code, string detail) => ApiResult.Problem(ProblemResponse.Create(403, code, detail));

    /// <summary>405 with <c>Allow</c>: the path is a route's, the method is not one of <paramref name="allow"/>.</summary>
    public static ApiResult MethodNotAllowed(string allow) =>
        ApiResult.Problem(ProblemResponse.Create(405, ErrorCodes.MethodNotAllowed, $"This route accepts {allow} only.")).WithHeader("Allow", allow);

    /// <summary>415: the request has a body, but not of a media type the route reads.</summary>
    public static ApiResult UnsupportedMediaType(IReadOnlyList<string> accepted) =>
        ApiResult.Problem(ProblemResponse.Create(415, ErrorCodes.UnsupportedMediaType,
            $"Send the body with Content-Type: {string.Join(" or ", accepted)} (UTF-8, the only charset accepted)."));

    public static ApiResult Unavailable(string detail) =>
        ApiResult.Problem(ProblemResponse.Create(503, ErrorCodes.StorageUnavailable, detail)).WithHeader("Retry-After", RetryAfterSeconds);

    public static ApiResult From(DomainException ex) => ex.Kind switch
    {
        DomainErrorKind.Validation => BadRequest(ex.Code, ex.Message, ex.Errors),
        DomainErrorKind.Unauthenticated => Unauthorized(ex.Code, ex.Message),
        DomainErrorKind.Forbidden => Forbidden(ex.Code, ex.Message),
        DomainErrorKind.NotFound => ApiResult.Problem(ProblemResponse.Create(404, ex.Code, ex.Message)),
        DomainErrorKind.Conflict => ApiResult.Problem(ProblemResponse.Create(409, ex.Code, ex.Message)),
        _ => Unavailable(ex.Message),
    };
}
