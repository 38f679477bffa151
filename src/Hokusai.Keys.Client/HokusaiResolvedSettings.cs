namespace Hokusai.Keys.Client;

/// <summary>The API key and URL to use, and where each came from. <c>ToString()</c> never prints the key.</summary>
public sealed class HokusaiResolvedSettings
{
    internal HokusaiResolvedSettings(string? apiKey, SettingSource keySource, Uri apiUrl, SettingSource urlSource, string profile, string configPath)
    {
        ApiKey = apiKey;
        KeySource = keySource;
        ApiUrl = apiUrl;
        UrlSource = urlSource;
        Profile = profile;
        ConfigPath = configPath;
    }

    /// <summary>The API key to send; null when none was found.</summary>
    public string? ApiKey { get; }
    /// <summary>Where <see cref="ApiKey"/> came from.</summary>
    public SettingSource KeySource { get; }
    /// <summary>Base URL of the API.</summary>
    public Uri ApiUrl { get; }
    /// <summary>Where <see cref="ApiUrl"/> came from.</summary>
    public SettingSource UrlSource { get; }
    /// <summary>The config-file profile that was read (or would have been).</summary>
    public string Profile { get; }
    /// <summary>The config file that was read (or would have been).</summary>
    public string ConfigPath { get; }

    /// <summary>URL, sources and profile; never the key.</summary>
    public override string ToString() => $"{ApiUrl} ({UrlSource}), key {(ApiKey is null ? "absent" : "from " + KeySource)}, profile {Profile}";
}
