namespace Hokusai.Keys.Client;

/// <summary>Where a resolved setting came from.</summary>
public enum SettingSource
{
    /// <summary>Not found anywhere.</summary>
    None,
    /// <summary>Given directly (a constructor or method argument, an option, a command-line flag).</summary>
    Argument,
    /// <summary>From <see cref="HokusaiKeys.Setup"/>.</summary>
    Setup,
    /// <summary>From an environment variable (<c>HOKUSAI_API_KEY</c>, <c>HOKUSAI_API_URL</c>).</summary>
    Environment,
    /// <summary>From a profile of the config file.</summary>
    ConfigFile,
    /// <summary>The built-in default (the URL only).</summary>
    Default,
}
