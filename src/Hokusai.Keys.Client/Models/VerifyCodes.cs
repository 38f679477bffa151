namespace Hokusai.Keys.Client.Models;

/// <summary>Outcome codes of verify (the shared <see cref="ErrorCodes"/>; every code with its status: <see cref="ErrorCatalog"/>).</summary>
public static class VerifyCodes
{
    /// <summary>The key is valid and allowed.</summary>
    public const string Valid = ErrorCodes.Valid;
    /// <summary>Not a Hokusai key (format or checksum wrong).</summary>
    public const string Malformed = ErrorCodes.Malformed;
    /// <summary>No such key.</summary>
    public const string NotFound = ErrorCodes.NotFound;
    /// <summary>The key was revoked.</summary>
    public const string Revoked = ErrorCodes.Revoked;
    /// <summary>The key has expired.</summary>
    public const string Expired = ErrorCodes.Expired;
    /// <summary>The key is suspended: refused until it is resumed.</summary>
    public const string Suspended = ErrorCodes.Suspended;
    /// <summary>A test key where live keys are required, or the reverse.</summary>
    public const string WrongEnvironment = ErrorCodes.WrongEnvironment;
    /// <summary>The key is not accepted from this address.</summary>
    public const string IpNotAllowed = ErrorCodes.IpNotAllowed;
    /// <summary>The key lacks a required scope.</summary>
    public const string InsufficientScope = ErrorCodes.InsufficientScope;
    /// <summary>The key's rate limit is used up for now (see <see cref="VerifyResult.RateLimit"/>).</summary>
    public const string RateLimited = ErrorCodes.RateLimited;
    /// <summary>The key's quota is used up for this period (see <see cref="VerifyResult.Quota"/>).</summary>
    public const string QuotaExceeded = ErrorCodes.QuotaExceeded;
    /// <summary>Too many failed verifications from this caller: slowed down for a while.</summary>
    public const string TooManyFailures = ErrorCodes.TooManyFailures;
    /// <summary>No key was presented.</summary>
    public const string MissingKey = ErrorCodes.MissingKey;
    /// <summary>Key storage could not be reached: try again.</summary>
    public const string Unavailable = ErrorCodes.Unavailable;
    /// <summary>The rate limiter could not be reached and the server is set to refuse limited keys meanwhile (<c>fail-closed</c>).</summary>
    public const string RateLimiterUnavailable = ErrorCodes.RateLimiterUnavailable;
    /// <summary>Too many verifications at once: try again.</summary>
    public const string VerificationBusy = ErrorCodes.VerificationBusy;
}
