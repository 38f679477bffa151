using System.Xml.Linq;

namespace Hokusai.Keys.Architecture.Tests;

/// <summary>The product's projects under src/ and their C# files (build output excluded).</summary>
internal static class SourceTree
{
    /// <summary>The folder holding Functions.sln, found by walking up from the test's output folder.</summary>
    public static string Root { get; } = FindRoot();

    public static string Src => Path.Combine(Root, "src");

    /// <summary>Each project: its folder name and the name of the assembly it builds.</summary>
    public static IReadOnlyList<(string Project, string Assembly)> Projects { get; } =
        Directory.EnumerateFiles(Src, "*.csproj", SearchOption.AllDirectories)
            .Where(path => !IsBuildOutput(Path.GetRelativePath(Src, path)))
            .Select(path => (Project: Path.GetFileNameWithoutExtension(path),
                Assembly: XDocument.Load(path).Descendants("AssemblyName").FirstOrDefault()?.Value ?? Path.GetFileNameWithoutExtension(path)))
            .OrderBy(p => p.Project, StringComparer.Ordinal)
            .ToList();

    /// <summary>Every C# file under src/, as (project, path relative to src/).</summary>
    public static IEnumerable<(string Project, string Path)> CSharpFiles() =>
        Directory.EnumerateFiles(Src, "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(Src, path))
            .Where(path => !IsBuildOutput(path))
            .Select(path => (Project: path.Split(Path.DirectorySeparatorChar)[0], Path: path))
            .OrderBy(f => f.Path, StringComparer.Ordinal);

    private static bool IsBuildOutput(string relativePath) => relativePath.Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Functions.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException($"No folder containing Functions.sln above {AppContext.BaseDirectory}.");
    }
}
