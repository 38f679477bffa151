namespace Hokusai.Keys.Client;

/// <summary>One profile of the config file.</summary>
public sealed class HokusaiProfile
{
    /// <summary>Base URL of the API.</summary>
    public string? ApiUrl { get; set; }

    /// <summary>The API key (the file is readable by its owner only).</summary>
    public string? ApiKey { get; set; }

    /// <summary>The URL and whether a key is set; never the key.</summary>
    public override string ToString() => $"HokusaiProfile {ApiUrl} (key {(ApiKey is null ? "absent" : "set")})";
}
