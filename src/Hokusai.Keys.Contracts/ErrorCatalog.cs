using System.Collections.Frozen;

namespace Hokusai.Keys;

/// <summary>
/// Every code of <see cref="ErrorCodes"/> with its HTTP status and title: the one catalog the server answers from
/// and the clients read (docs/api.md lists the same). A verify answer carries these codes with status 200.
/// </summary>
public static class ErrorCatalog
{
    public static IReadOnlyList<ErrorCode> All { get; } =
    [
        new(ErrorCodes.ValidationFailed, 400, "Invalid field values"),
        new(ErrorCodes.InvalidJson, 400, "Invalid JSON body"),
        new(ErrorCodes.BodyTooLarge, 400, "Body too large"),
        new(ErrorCodes.MalformedRequest, 400, "Malformed request"),
        new(ErrorCodes.RequestTimeout, 408, "Request too slow"),
        new(ErrorCodes.RouteNotFound, 404, "No such route"),
        new(ErrorCodes.MethodNotAllowed, 405, "Method not allowed"),
        new(ErrorCodes.UnsupportedMediaType, 415, "Unsupported media type"),
        new(ErrorCodes.UriTooLong, 414, "URI too long"),
        new(ErrorCodes.HeadersTooLarge, 431, "Request headers too large"),
        new(ErrorCodes.HttpVersionNotSupported, 505, "HTTP version not supported"),
        new(ErrorCodes.Unauthenticated, 401, "Not authenticated"),
        new(ErrorCodes.Forbidden, 403, "Forbidden"),
        new(ErrorCodes.KeyRotated, 403, "Key was rotated"),
        new(ErrorCodes.KeyNotFound, 404, "Key not found"),
        new(ErrorCodes.KeyRevoked, 409, "Key is revoked"),
        new(ErrorCodes.KeyExpired, 409, "Key has expired"),
        new(ErrorCodes.KeyAlreadyRotated, 409, "Key already rotated"),
        new(ErrorCodes.KeySuspended, 409, "Key is suspended"),
        new(ErrorCodes.ConcurrentUpdate, 409, "Concurrent update"),
        new(ErrorCodes.CursorExpired, 410, "Cursor expired"),
        new(ErrorCodes.InvalidSignature, 401, "Invalid signature"),
        new(ErrorCodes.Valid, 200, "Valid key"),
        new(ErrorCodes.MissingKey, 401, "No API key"),
        new(ErrorCodes.Malformed, 401, "Malformed API key"),
        new(ErrorCodes.NotFound, 401, "Unknown API key"),
        new(ErrorCodes.Revoked, 401, "Revoked API key"),
        new(ErrorCodes.Expired, 401, "Expired API key"),
        new(ErrorCodes.Suspended, 401, "Suspended API key"),
        new(ErrorCodes.WrongEnvironment, 403, "Wrong environment"),
        new(ErrorCodes.IpNotAllowed, 403, "Address not allowed"),
        new(ErrorCodes.InsufficientScope, 403, "Insufficient scope"),
        new(ErrorCodes.RateLimited, 429, "Rate limit exceeded"),
        new(ErrorCodes.QuotaExceeded, 429, "Quota exceeded"),
        new(ErrorCodes.TooManyFailures, 429, "Too many failed verifications"),
        new(ErrorCodes.Unavailable, 503, "Key storage unavailable"),
        new(ErrorCodes.RateLimiterUnavailable, 503, "Rate limiter unavailable"),
        new(ErrorCodes.VerificationBusy, 503, "Verification busy"),
        new(ErrorCodes.StorageUnavailable, 503, "Storage unavailable"),
        new(ErrorCodes.InternalError, 500, "Internal error"),
    ];

    private static readonly FrozenDictionary<string, ErrorCode> ByCode = All.ToFrozenDictionary(e => e.Code, StringComparer.Ordinal);

    /// <summary>The catalog entry of <paramref name="code"/>.</summary>
    /// <exception cref="KeyNotFoundException">The code is not in the catalog (a bug: every code the server uses is).</exception>
    public static ErrorCode Get(string code) => ByCode[code];

    public static bool TryGet(string code, out ErrorCode entry) => ByCode.TryGetValue(code, out entry!);
}
