using Hokusai.Keys.Api.Http;
using Hokusai.Keys.Domain;
using Hokusai.Keys.Validation;
using Microsoft.AspNetCore.Http;

namespace Hokusai.Keys.Api.Handlers;

/// <summary>Authenticates management callers through the same validator as verify/authorize, then checks their scope.</summary>
public sealed class ManagementAuthenticator(KeyValidator validator, ClientIpResolver clientIps)
{
    public readonly record struct Outcome(Caller? Caller, ApiResult? Problem);

    public async Task<Outcome> AuthenticateAsync(HttpRequest request, Access access)
    {
        var presented = PresentedKey.From(request, allowQuery: false);
        if (string.IsNullOrEmpty(presented))
            return new(null, Problems.Unauthorized(ErrorCodes.Unauthenticated, "Send an API key in 'Authorization: Bearer …' or 'X-API-Key'."));

        var ip = clientIps.Resolve(request.HttpContext);
        // Failed authentications count against the caller as on verify and authorize: management routes are no way around the throttle.
        var result = await validator.ValidateAsync(
            new ValidationRequest(presented, ip, null, ValidationEndpoint.Management) { Caller = ip }, request.HttpContext.RequestAborted);
        switch (result.Code)
        {
            case ValidationCode.Valid:
                break;
            case ValidationCode.Unavailable:
                return new(null, Problems.Unavailable("Key storage is unavailable; the caller's key could not be checked."));
            case ValidationCode.VerificationBusy:
                return new(null, ApiResult.Problem(ProblemResponse.Create(StatusCodes.Status503ServiceUnavailable, result.Code.ToWire(),
                    "Too many keys are being checked right now and the caller's key is not cached; retry shortly.")).WithHeader("Retry-After", "1"));
            case ValidationCode.TooManyFailures:
                return new(null, ApiResult.Problem(ProblemResponse.Create(StatusCodes.Status429TooManyRequests, result.Code.ToWire(),
                    "Too many failed verifications from this caller; retry later.")).WithHeader("Retry-After", "60"));
            case ValidationCode.IpNotAllowed:
                return new(null, Problems.Forbidden(result.Code.ToWire(), "The API key may not be used from this address."));
            default:
                return new(null, Problems.Unauthorized(ErrorCodes.Unauthenticated, $"The API key was refused ({result.Code.ToWire()})."));
        }

        var key = result.Key!;
        var caller = key.ToCaller(ip?.ToString());
        if (caller.IsRotated)
            return new(null, Problems.Forbidden(ErrorCodes.KeyRotated,
                "This key was rotated: it keeps validating until its grace period ends, but only its successor may manage keys."));
        var allowed = access switch
        {
            Access.Read => caller.CanRead,
            Access.ReportUsage => caller.CanReportUsage,
            Access.Watch => caller.CanWatch,
            _ => caller.CanWrite,
        };
        return allowed
            ? new(caller, null)
            : new(null, Problems.Forbidden(ErrorCodes.InsufficientScope, access switch
            {
                Access.Read => "This route needs scope 'keys:read', 'keys:write' or 'admin'.",
                Access.ReportUsage => "This route needs scope 'usage:report', 'keys:watch' or 'admin'.",
                Access.Watch => "This route needs scope 'keys:watch' or 'admin'.",
                _ => "This route needs scope 'keys:write' or 'admin'.",
            }));
    }
}
