namespace Hokusai.Keys.Client;

/// <summary>
/// Process-wide defaults, consulted after the arguments of a client and before <c>HOKUSAI_API_KEY</c>/<c>HOKUSAI_API_URL</c>
/// and the config file. Call once at startup: <c>HokusaiKeys.Setup(apiKey: …, apiUrl: …)</c>.
/// </summary>
public static class HokusaiKeys
{
    private static volatile GlobalSettings? _settings;

    /// <summary>Sets (or, with nulls, clears) the process-wide API key and URL.</summary>
    public static void Setup(string? apiKey = null, string? apiUrl = null) =>
        _settings = apiKey is null && apiUrl is null ? null : new GlobalSettings(apiKey, apiUrl is null ? null : new Uri(apiUrl, UriKind.Absolute));

    /// <summary>Clears what <see cref="Setup"/> set.</summary>
    public static void Reset() => _settings = null;

    internal static GlobalSettings? Current => _settings;

    internal sealed record GlobalSettings(string? ApiKey, Uri? ApiUrl)
    {
        public override string ToString() => $"GlobalSettings {ApiUrl} (key {(ApiKey is null ? "absent" : "set")})";
    }
}
