namespace Hokusai.Keys.Validation;

/// <summary>Outcome codes of verify/authorize, in the order the checks run.</summary>
public enum ValidationCode
{
    Valid,
    Malformed,
    NotFound,
    Revoked,
    Expired,
    /// <summary>The caller required the other environment (live or test) than the key's.</summary>
    WrongEnvironment,
    IpNotAllowed,
    InsufficientScope,
    RateLimited,
    QuotaExceeded,
    /// <summary>The key is not cached and storage cannot be reached: never answered as valid.</summary>
    Unavailable,
    /// <summary>Too many failed verifications from this client address.</summary>
    TooManyFailures,
    /// <summary>Redis is down and the rate-limit failure mode is fail-closed.</summary>
    LimiterUnavailable,
    /// <summary>The key is not cached and the bcrypt queue is full: never answered as valid.</summary>
    VerificationBusy,
    /// <summary>The key is suspended (reversible, unlike revocation).</summary>
    Suspended,
}
