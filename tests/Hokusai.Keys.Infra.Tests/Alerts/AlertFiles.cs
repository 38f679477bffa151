namespace Hokusai.Keys.Infra.Tests.Alerts;

/// <summary>The alert queries of infra/alerts/, by name (file name without .kql).</summary>
internal static class AlertFiles
{
    public static string Directory => Path.Combine(BicepCli.InfraDirectory, "alerts");

    public static IReadOnlyDictionary<string, string> All { get; } =
        System.IO.Directory.EnumerateFiles(Directory, "*.kql")
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), File.ReadAllText, StringComparer.Ordinal);

    public static KqlSubset Parse(string name) => KqlSubset.Parse(All[name]);
}
