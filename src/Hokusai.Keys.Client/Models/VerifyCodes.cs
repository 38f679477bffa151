using System.Text.Json.Serialization;

namespace Hokusai.Keys.Client.Models;

/// <summary>Outcome codes of verify (the shared <see cref="ErrorCodes"/>; every code with its status: <see cref="ErrorCatalog"/>).</summary>
public static class VerifyCodes
{
    public const string Valid = ErrorCodes.Valid;
    public const string Malformed = ErrorCodes.Malformed;
    public const string NotFound = ErrorCodes.NotFound;
    public const string Revoked = ErrorCodes.Revoked;
    public const string Expired = ErrorCodes.Expired;
    public const string WrongEnvironment = ErrorCodes.WrongEnvironment;
    public const string IpNotAllowed = ErrorCodes.IpNotAllowed;
    public const string InsufficientScope = ErrorCodes.InsufficientScope;
    public const string RateLimited = ErrorCodes.RateLimited;
    public const string QuotaExceeded = ErrorCodes.QuotaExceeded;
    public const string TooManyFailures = ErrorCodes.TooManyFailures;
    public const string MissingKey = ErrorCodes.MissingKey;
    public const string Unavailable = ErrorCodes.Unavailable;
    public const string RateLimiterUnavailable = ErrorCodes.RateLimiterUnavailable;
    public const string VerificationBusy = ErrorCodes.VerificationBusy;
}
