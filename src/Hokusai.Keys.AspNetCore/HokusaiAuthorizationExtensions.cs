using Hokusai.Keys.AspNetCore;
using Microsoft.AspNetCore.Authorization;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Authorization policies over the claims of a Hokusai key.</summary>
public static class HokusaiAuthorizationExtensions
{
    /// <summary>Requires every one of <paramref name="scopes"/> as a <c>scope</c> claim of the key.</summary>
    public static AuthorizationPolicyBuilder RequireScope(this AuthorizationPolicyBuilder builder, params string[] scopes)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var scope in scopes) builder.RequireClaim(HokusaiClaimTypes.Scope, scope);
        return builder;
    }
}
