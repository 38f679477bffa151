namespace Hokusai.Keys;

/// <summary>
/// Every machine code an answer of the API can carry: the <c>code</c> of a problem response, and the <c>code</c> of a
/// verify answer (which is data, not an error, on verify; the same code is a problem on authorize). Shared by the
/// server and the clients; <see cref="ErrorCatalog"/> gives each its HTTP status and title.
/// </summary>
public static class ErrorCodes
{
    // Requests
    public const string ValidationFailed = "VALIDATION_FAILED";
    public const string InvalidJson = "INVALID_JSON";
    public const string BodyTooLarge = "BODY_TOO_LARGE";
    public const string MalformedRequest = "MALFORMED_REQUEST";
    public const string RequestTimeout = "REQUEST_TIMEOUT";
    public const string RouteNotFound = "ROUTE_NOT_FOUND";
    public const string MethodNotAllowed = "METHOD_NOT_ALLOWED";
    public const string UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
    public const string UriTooLong = "URI_TOO_LONG";
    public const string HeadersTooLarge = "HEADERS_TOO_LARGE";
    public const string HttpVersionNotSupported = "HTTP_VERSION_NOT_SUPPORTED";

    // Management callers and keys
    public const string Unauthenticated = "UNAUTHENTICATED";
    public const string Forbidden = "FORBIDDEN";
    public const string KeyRotated = "KEY_ROTATED";
    public const string KeyNotFound = "KEY_NOT_FOUND";
    public const string KeyRevoked = "KEY_REVOKED";
    public const string KeyExpired = "KEY_EXPIRED";
    public const string KeyAlreadyRotated = "KEY_ALREADY_ROTATED";
    public const string KeySuspended = "KEY_SUSPENDED";
    public const string ConcurrentUpdate = "CONCURRENT_UPDATE";
    public const string CursorExpired = "CURSOR_EXPIRED";

    // Leak reports
    public const string InvalidSignature = "INVALID_SIGNATURE";

    // Validation outcomes (verify's codes; authorize's problems)
    public const string Valid = "VALID";
    public const string MissingKey = "MISSING_KEY";
    public const string Malformed = "MALFORMED";
    public const string NotFound = "NOT_FOUND";
    public const string Revoked = "REVOKED";
    public const string Expired = "EXPIRED";
    public const string Suspended = "SUSPENDED";
    public const string WrongEnvironment = "WRONG_ENVIRONMENT";
    public const string IpNotAllowed = "IP_NOT_ALLOWED";
    public const string InsufficientScope = "INSUFFICIENT_SCOPE";
    public const string RateLimited = "RATE_LIMITED";
    public const string QuotaExceeded = "QUOTA_EXCEEDED";
    public const string TooManyFailures = "TOO_MANY_FAILURES";
    public const string Unavailable = "UNAVAILABLE";
    public const string RateLimiterUnavailable = "RATE_LIMITER_UNAVAILABLE";
    public const string VerificationBusy = "VERIFICATION_BUSY";

    // The service
    public const string StorageUnavailable = "STORAGE_UNAVAILABLE";
    public const string InternalError = "INTERNAL_ERROR";
}
