namespace Hokusai.Keys;

public enum DomainErrorKind
{
    Validation,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    Unavailable,
}

/// <summary>A rule said no. The HTTP layer maps <see cref="Kind"/> to a status and <see cref="Code"/> to the problem's <c>code</c>.</summary>
public sealed class DomainException(DomainErrorKind kind, string code, string detail, IReadOnlyDictionary<string, string[]>? errors = null)
    : Exception(detail)
{
    public DomainErrorKind Kind { get; } = kind;
    public string Code { get; } = code;
    public IReadOnlyDictionary<string, string[]>? Errors { get; } = errors;

    public static DomainException KeyNotFound(string keyId) =>
        new(DomainErrorKind.NotFound, ErrorCodes.KeyNotFound, $"No key with id '{keyId}' is visible to this caller.");

    public static DomainException Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new(DomainErrorKind.Validation, ErrorCodes.ValidationFailed, "One or more fields are invalid.", errors);
}

/// <summary>Machine codes of problem responses (documented in docs/api.md and the OpenAPI document).</summary>
public static class ErrorCodes
{
    public const string ValidationFailed = "VALIDATION_FAILED";
    public const string InvalidJson = "INVALID_JSON";
    public const string BodyTooLarge = "BODY_TOO_LARGE";
    public const string MalformedRequest = "MALFORMED_REQUEST";
    public const string RequestTimeout = "REQUEST_TIMEOUT";
    public const string Unauthenticated = "UNAUTHENTICATED";
    public const string InsufficientScope = "INSUFFICIENT_SCOPE";
    public const string Forbidden = "FORBIDDEN";
    public const string KeyNotFound = "KEY_NOT_FOUND";
    public const string KeyRevoked = "KEY_REVOKED";
    public const string ConcurrentUpdate = "CONCURRENT_UPDATE";
    public const string StorageUnavailable = "STORAGE_UNAVAILABLE";
    public const string RouteNotFound = "ROUTE_NOT_FOUND";
    public const string InternalError = "INTERNAL_ERROR";
}

/// <summary>Thrown by adapters when a backing store cannot be reached; maps to 503 with Retry-After.</summary>
public sealed class StorageUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>An ETag-guarded write lost a race.</summary>
public sealed class ConcurrencyConflictException(string message) : Exception(message);
