using Hokusai.Keys.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class HokusaiAuthenticationExtensions
{
    /// <summary>Adds the Hokusai API key scheme (<see cref="HokusaiApiKeyDefaults.AuthenticationScheme"/>).</summary>
    public static AuthenticationBuilder AddHokusaiApiKey(this AuthenticationBuilder builder, Action<HokusaiApiKeyOptions>? configure = null) =>
        builder.AddHokusaiApiKey(HokusaiApiKeyDefaults.AuthenticationScheme, configure);

    public static AuthenticationBuilder AddHokusaiApiKey(this AuthenticationBuilder builder, string scheme, Action<HokusaiApiKeyOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<HokusaiClientRegistry>();
        return builder.AddScheme<HokusaiApiKeyOptions, HokusaiApiKeyHandler>(scheme, configure);
    }
}
