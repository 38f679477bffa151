using Hokusai.Keys.Client.Models;

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

    public string? ApiKey { get; }
    public SettingSource KeySource { get; }
    public Uri ApiUrl { get; }
    public SettingSource UrlSource { get; }
    public string Profile { get; }
    public string ConfigPath { get; }

    public override string ToString() => $"{ApiUrl} ({UrlSource}), key {(ApiKey is null ? "absent" : "from " + KeySource)}, profile {Profile}";
}
