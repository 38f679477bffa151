namespace Hokusai.Keys.Api.Models;

/// <summary>Body of <c>POST /api/keys/verify</c>.</summary>
public sealed class VerifyRequest
{
    public string? Key { get; set; }
    public string? Ip { get; set; }
    public List<string>? RequiredScopes { get; set; }

    /// <summary><c>live</c> or <c>test</c>: a key of the other environment is answered <c>WRONG_ENVIRONMENT</c>.</summary>
    public string? RequiredEnvironment { get; set; }

    /// <summary>Units consumed from the key's rate limit and quota (default 1; 0 checks without consuming).</summary>
    public int? Cost { get; set; }
}
