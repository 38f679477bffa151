namespace Hokusai.Keys.Testing;

public static class RepoPaths
{
    /// <summary>The folder holding Functions.sln.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Functions.sln"))) return dir.FullName;
        throw new InvalidOperationException("Functions.sln not found above " + AppContext.BaseDirectory);
    }
}
