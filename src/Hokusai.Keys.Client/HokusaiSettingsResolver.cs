namespace Hokusai.Keys.Client;

/// <summary>
/// The one place that decides which API key and URL to use, for the SDK and the CLI alike:
/// key: argument → <see cref="HokusaiKeys.Setup"/> → <c>HOKUSAI_API_KEY</c> → config file profile;
/// URL: argument → Setup → <c>HOKUSAI_API_URL</c> → config file profile → <c>http://localhost:7071</c>.
/// The profile is the argument, else <c>HOKUSAI_PROFILE</c>, else the file's <c>defaultProfile</c>, else <c>default</c>.
/// </summary>
public sealed class HokusaiSettingsResolver
{
    /// <summary>The environment variable holding the API key.</summary>
    public const string ApiKeyVariable = "HOKUSAI_API_KEY";
    /// <summary>The environment variable holding the API's base URL.</summary>
    public const string ApiUrlVariable = "HOKUSAI_API_URL";
    /// <summary>The environment variable naming the config-file profile.</summary>
    public const string ProfileVariable = "HOKUSAI_PROFILE";
    /// <summary>The URL used when nothing else gives one: the local Functions host.</summary>
    public static readonly Uri DefaultApiUrl = new("http://localhost:7071");

    private readonly Func<string, string?> _environment;
    private readonly string? _configPath;
    private readonly bool _useGlobalSetup;

    /// <param name="environment">Environment variable lookup (default: the process environment).</param>
    /// <param name="configPath">Config file path (default: <see cref="HokusaiConfigFile.DefaultPath"/>).</param>
    /// <param name="useGlobalSetup">Whether <see cref="HokusaiKeys.Setup"/> takes part (the CLI turns it off).</param>
    public HokusaiSettingsResolver(Func<string, string?>? environment = null, string? configPath = null, bool useGlobalSetup = true)
    {
        _environment = environment ?? Environment.GetEnvironmentVariable;
        _configPath = configPath;
        _useGlobalSetup = useGlobalSetup;
    }

    /// <summary>The config file this resolver reads.</summary>
    public string ConfigPath => _configPath ?? HokusaiConfigFile.DefaultPath(_environment);

    /// <summary>The key, URL and profile to use: each argument first, then the usual order (see the class).</summary>
    /// <param name="apiKey">An API key given directly.</param>
    /// <param name="apiUrl">A base URL given directly.</param>
    /// <param name="profile">A config-file profile given directly.</param>
    public HokusaiResolvedSettings Resolve(string? apiKey = null, Uri? apiUrl = null, string? profile = null)
    {
        var global = _useGlobalSetup ? HokusaiKeys.Current : null;
        var path = ConfigPath;
        HokusaiConfigFile? file = null;
        HokusaiConfigFile File() => file ??= HokusaiConfigFile.Load(path);
        var profileName = profile is { Length: > 0 } ? profile : NonEmpty(_environment(ProfileVariable));

        string? key; SettingSource keySource;
        if (NonEmpty(apiKey) is { } a) (key, keySource) = (a, SettingSource.Argument);
        else if (NonEmpty(global?.ApiKey) is { } s) (key, keySource) = (s, SettingSource.Setup);
        else if (NonEmpty(_environment(ApiKeyVariable)) is { } e) (key, keySource) = (e, SettingSource.Environment);
        else if (NonEmpty(File().GetProfile(profileName)?.ApiKey) is { } f) (key, keySource) = (f, SettingSource.ConfigFile);
        else (key, keySource) = (null, SettingSource.None);

        Uri url; SettingSource urlSource;
        if (apiUrl is not null) (url, urlSource) = (apiUrl, SettingSource.Argument);
        else if (global?.ApiUrl is { } s) (url, urlSource) = (s, SettingSource.Setup);
        else if (NonEmpty(_environment(ApiUrlVariable)) is { } e) (url, urlSource) = (ParseUrl(e, ApiUrlVariable), SettingSource.Environment);
        else if (NonEmpty(File().GetProfile(profileName)?.ApiUrl) is { } f) (url, urlSource) = (ParseUrl(f, "the config file"), SettingSource.ConfigFile);
        else (url, urlSource) = (DefaultApiUrl, SettingSource.Default);

        var resolvedProfile = file?.ResolveProfileName(profileName) ?? profileName ?? HokusaiConfigFile.DefaultProfileName;
        return new HokusaiResolvedSettings(key, keySource, url, urlSource, resolvedProfile, path);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static Uri ParseUrl(string value, string where) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new ArgumentException($"The API URL from {where} is not an absolute http(s) URL.");
}
