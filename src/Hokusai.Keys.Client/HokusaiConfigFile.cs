using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hokusai.Keys.Client;

/// <summary>
/// The config file shared by the SDK and the CLI: <c>~/.config/hokusai/config.json</c> (<c>%APPDATA%\hokusai\config.json</c>
/// on Windows; <c>HOKUSAI_CONFIG</c> overrides the path). Holds named profiles, each with an API URL and key.
/// Written with mode 0600 on Unix.
/// </summary>
public sealed class HokusaiConfigFile
{
    /// <summary>The profile used when none is named anywhere.</summary>
    public const string DefaultProfileName = "default";
    /// <summary>The environment variable that overrides the file's path.</summary>
    public const string PathVariable = "HOKUSAI_CONFIG";

    /// <summary>The profile to use when none is given (<c>defaultProfile</c> in the file).</summary>
    public string? DefaultProfile { get; set; }

    /// <summary>The profiles by name.</summary>
    public Dictionary<string, HokusaiProfile> Profiles { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The path used when none is given: <c>HOKUSAI_CONFIG</c>, else the per-user location.</summary>
    public static string DefaultPath(Func<string, string?>? environment = null)
    {
        environment ??= System.Environment.GetEnvironmentVariable;
        if (environment(PathVariable) is { Length: > 0 } configured) return configured;
        if (OperatingSystem.IsWindows())
        {
            var appData = environment("APPDATA") is { Length: > 0 } a ? a : System.Environment.GetFolderPath(System.Environment.SpecialFolder.ApplicationData);
            return Path.Combine(appData, "hokusai", "config.json");
        }
        var xdg = environment("XDG_CONFIG_HOME");
        var baseDir = xdg is { Length: > 0 } ? xdg
            : Path.Combine(environment("HOME") is { Length: > 0 } home ? home : System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(baseDir, "hokusai", "config.json");
    }

    /// <summary>The file at <paramref name="path"/>, or an empty configuration when it does not exist.</summary>
    public static HokusaiConfigFile Load(string path)
    {
        if (!File.Exists(path)) return new HokusaiConfigFile();
        try
        {
            var loaded = JsonSerializer.Deserialize<HokusaiConfigFile>(File.ReadAllText(path), FileJson) ?? new HokusaiConfigFile();
            loaded.Profiles = new Dictionary<string, HokusaiProfile>(loaded.Profiles ?? [], StringComparer.Ordinal);
            return loaded;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The config file {path} is not valid JSON (line {ex.LineNumber + 1}).");
        }
    }

    /// <summary>Writes the file (creating its folder), readable and writable by its owner only.</summary>
    public void Save(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var json = JsonSerializer.Serialize(this, FileJson);
        var temp = path + ".tmp";
        if (OperatingSystem.IsWindows())
        {
            File.WriteAllText(temp, json);
        }
        else
        {
            // Create with 0600 from the start: the key is never readable by others, not even briefly.
            var options = new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            using (var stream = new FileStream(temp, options))
            using (var writer = new StreamWriter(stream))
                writer.Write(json);
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The profile named <paramref name="name"/>, else the file's default profile, else <c>default</c>; null when absent.</summary>
    public HokusaiProfile? GetProfile(string? name) =>
        Profiles.TryGetValue(ResolveProfileName(name), out var profile) ? profile : null;

    /// <summary>
    /// The name of the profile <see cref="GetProfile"/> reads: <paramref name="name"/>, else the file's default, else <c>default</c>.
    /// </summary>
    public string ResolveProfileName(string? name) =>
        name is { Length: > 0 } ? name : DefaultProfile is { Length: > 0 } d ? d : DefaultProfileName;

    private static readonly JsonSerializerOptions FileJson = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        DictionaryKeyPolicy = null,
    };
}
