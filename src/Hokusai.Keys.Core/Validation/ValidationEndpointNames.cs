namespace Hokusai.Keys.Validation;

public static class ValidationEndpointNames
{
    /// <summary>
    /// The <c>endpoint</c> tag of <c>hokusai.validations</c>: dashboards and alerts select on these values, so they
    /// never change with the enum's names.
    /// </summary>
    public static string ToTag(this ValidationEndpoint endpoint) => endpoint switch
    {
        ValidationEndpoint.Verify => "verify",
        ValidationEndpoint.Authorize => "authorize",
        ValidationEndpoint.Management => "management",
        ValidationEndpoint.LeakReport => "leak_report",
        _ => throw new ArgumentOutOfRangeException(nameof(endpoint), endpoint, null),
    };

    /// <summary>Validations that consume rate limit and quota and record usage: verify and authorize, not management authentication or leak reports.</summary>
    public static bool IsMetered(this ValidationEndpoint endpoint) => endpoint is ValidationEndpoint.Verify or ValidationEndpoint.Authorize;
}
