namespace Hokusai.Keys.Client;

/// <summary>Where a resolved setting came from.</summary>
public enum SettingSource
{
    None,
    Argument,
    Setup,
    Environment,
    ConfigFile,
    Default,
}
