namespace Hokusai.Keys.Client;

/// <summary>Options of <see cref="HokusaiKeysClient"/>. Unset key and endpoint are resolved by <see cref="HokusaiSettingsResolver"/>.</summary>
public sealed class HokusaiKeysClientOptions
{
    /// <summary>Base URL of the API (e.g. <c>https://keys.example.com</c>); routes are under <c>/api</c>.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>The management API key (not needed for verify).</summary>
    public string? ApiKey { get; set; }

    /// <summary>Config-file profile to read when key or URL come from the file.</summary>
    public string? Profile { get; set; }

    /// <summary>Config file path; default <see cref="HokusaiConfigFile.DefaultPath"/>.</summary>
    public string? ConfigFilePath { get; set; }

    /// <summary>Environment lookup used for <c>HOKUSAI_*</c> variables; default the process environment.</summary>
    public Func<string, string?>? EnvironmentVariables { get; set; }

    /// <summary>Whether <see cref="HokusaiKeys.Setup"/> takes part in resolution (default true).</summary>
    public bool UseGlobalSetup { get; set; } = true;

    /// <summary>An HttpClient to send with (not disposed by the client). Its BaseAddress is not used: see <see cref="Endpoint"/>.</summary>
    public HttpClient? HttpClient { get; set; }

    /// <summary>A handler to send with (not disposed by the client), when no <see cref="HttpClient"/> is given.</summary>
    public HttpMessageHandler? HttpMessageHandler { get; set; }

    /// <summary>Timeout of each call (default 30 s).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The endpoint and whether a key is set; never the key.</summary>
    public override string ToString() => $"HokusaiKeysClientOptions {Endpoint} (key {(ApiKey is null ? "unset" : "set")})";

    internal HokusaiResolvedSettings Resolve() =>
        new HokusaiSettingsResolver(EnvironmentVariables, ConfigFilePath, UseGlobalSetup).Resolve(ApiKey, Endpoint, Profile);
}
