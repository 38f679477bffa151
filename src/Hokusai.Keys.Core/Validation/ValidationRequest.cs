using System.Net;
using Hokusai.Keys.Domain;

namespace Hokusai.Keys.Validation;

/// <summary>What to validate: the presented key, the client's address (for the allow-list), required scopes, and the cost to consume.</summary>
public readonly record struct ValidationRequest(string? Key, IPAddress? ClientIp, IReadOnlyList<string>? RequiredScopes, ValidationEndpoint Endpoint)
{
    public int Cost { get; init; } = 1;

    /// <summary>
    /// Who sent the request — the connection's address, or the client a trusted proxy names in X-Forwarded-For —
    /// whose failed verifications are counted. Never an address taken from a request body. Null: not counted.
    /// </summary>
    public IPAddress? Caller { get; init; }

    /// <summary>Only when <see cref="Caller"/> is a trusted gateway: the end user it forwards, counted on their own within the gateway's budget.</summary>
    public IPAddress? GatewayEndUser { get; init; }

    /// <summary>When set, a key of the other environment is refused with <see cref="ValidationCode.WrongEnvironment"/>.</summary>
    public KeyEnvironment? RequiredEnvironment { get; init; }
}
