namespace Hokusai.Keys.Validation;

public static class ValidationCodeNames
{
    public static string ToWire(this ValidationCode code) => code switch
    {
        ValidationCode.Valid => ErrorCodes.Valid,
        ValidationCode.Malformed => ErrorCodes.Malformed,
        ValidationCode.NotFound => ErrorCodes.NotFound,
        ValidationCode.Revoked => ErrorCodes.Revoked,
        ValidationCode.Expired => ErrorCodes.Expired,
        ValidationCode.Suspended => ErrorCodes.Suspended,
        ValidationCode.WrongEnvironment => ErrorCodes.WrongEnvironment,
        ValidationCode.IpNotAllowed => ErrorCodes.IpNotAllowed,
        ValidationCode.InsufficientScope => ErrorCodes.InsufficientScope,
        ValidationCode.RateLimited => ErrorCodes.RateLimited,
        ValidationCode.QuotaExceeded => ErrorCodes.QuotaExceeded,
        ValidationCode.TooManyFailures => ErrorCodes.TooManyFailures,
        ValidationCode.LimiterUnavailable => ErrorCodes.RateLimiterUnavailable,
        ValidationCode.VerificationBusy => ErrorCodes.VerificationBusy,
        _ => ErrorCodes.Unavailable,
    };

    /// <summary>Codes that mean "who are you?" (401) rather than "you may not" (403).</summary>
    public static bool IsAuthenticationFailure(this ValidationCode code) =>
        code is ValidationCode.Malformed or ValidationCode.NotFound or ValidationCode.Revoked or ValidationCode.Expired or ValidationCode.Suspended;

    /// <summary>Codes answered with 429 Too Many Requests.</summary>
    public static bool IsThrottled(this ValidationCode code) =>
        code is ValidationCode.RateLimited or ValidationCode.QuotaExceeded or ValidationCode.TooManyFailures;

    /// <summary>Codes answered with 503: the service could not decide.</summary>
    public static bool IsUnavailable(this ValidationCode code) =>
        code is ValidationCode.Unavailable or ValidationCode.LimiterUnavailable or ValidationCode.VerificationBusy;
}
