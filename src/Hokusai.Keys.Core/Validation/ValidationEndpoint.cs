namespace Hokusai.Keys.Validation;

/// <summary>Which route asks for a validation: it decides whether limits are consumed and usage is recorded.</summary>
public enum ValidationEndpoint
{
    /// <summary><c>POST /api/keys/verify</c>: metered.</summary>
    Verify,

    /// <summary><c>GET /api/authorize</c>: metered.</summary>
    Authorize,

    /// <summary>A management route authenticating its caller: consumes no rate limit or quota and records no usage event.</summary>
    Management,

    /// <summary>A leak report checking a presented key before revoking it: not metered, like management.</summary>
    LeakReport,
}
