namespace Hokusai.Keys.Architecture.Tests;

/// <summary>
/// A type is found by its name: each file under src/ holds one top-level type named for it (nested and <c>file</c>
/// types are its own business), and no two of the product's types share a simple name. That the namespace follows the
/// folder is the build's check (IDE0130, .editorconfig).
/// </summary>
public sealed class SourceLayoutTests
{
    private static readonly IReadOnlyList<(string Project, string Path, string? Namespace, IReadOnlyList<TypeDeclarations.Declaration> Types)> Files =
        SourceTree.CSharpFiles()
            .Select(f => TypeDeclarations.Read(File.ReadAllText(Path.Combine(SourceTree.Src, f.Path))) is var (ns, types) ? (f.Project, f.Path, ns, types) : default)
            .ToList();

    [Fact]
    public void Each_file_holds_one_type_named_for_it()
    {
        Assert.True(Files.Count > 100, $"only {Files.Count} files found under {SourceTree.Src}");
        var misplaced = Files
            .Select(f => (f.Path, Types: f.Types.Where(t => !t.IsFileLocal).Select(t => t.Name).ToList()))
            .Where(f => f.Types.Count > 1 || (f.Types.Count == 1 && f.Types[0] != Path.GetFileName(f.Path).Split('.')[0]))
            .Select(f => $"{f.Path}: {string.Join(", ", f.Types)}")
            .ToList();
        Assert.True(misplaced.Count == 0, "give each type its own file, named for it:\n  " + string.Join("\n  ", misplaced));
    }

    [Fact]
    public void No_two_types_of_the_product_share_a_name()
    {
        var declared = Files.SelectMany(f => f.Types.Where(t => !t.IsFileLocal).Select(t => (t.Name, Where: $"{f.Project}: {f.Namespace}"))).ToList();
        Assert.Contains(declared, d => d.Name == "KeyValidator");
        var shared = declared
            .GroupBy(d => d.Name, StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Places: g.Select(d => d.Where).Distinct().ToList()))
            .Where(g => g.Places.Count > 1) // a partial type declared in two files is one type
            .Select(g => $"{g.Name} ({string.Join("; ", g.Places)})")
            .ToList();
        Assert.True(shared.Count == 0, "rename one of each (a name explains itself without its namespace):\n  " + string.Join("\n  ", shared));
    }

    [Fact]
    public void The_reader_sees_top_level_types_only()
    {
        const string source = """
            namespace Sample;

            /// <summary>class Commented {}</summary>
            public sealed record Outer(int A)
            {
                private sealed class Nested { }
                private const string Text = "class InString { ";
                private const char Brace = '{';
            }

            file static class Local { }

            internal enum Kind { One }
            """;
        var (ns, types) = TypeDeclarations.Read(source);
        Assert.Equal("Sample", ns);
        Assert.Equal(["Outer", "Local", "Kind"], types.Select(t => t.Name));
        Assert.Equal([false, true, false], types.Select(t => t.IsFileLocal));
    }
}
