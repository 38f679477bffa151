namespace Hokusai.Keys.Architecture.Tests;

/// <summary>
/// No two folders of a project use each other, directly or through others: each folder can be read, changed and tested
/// from the ones it uses. The project's root namespace (service registration, options, shared exceptions) is not a
/// folder: it may use its folders and be used by them.
/// </summary>
public sealed class FolderDependencyTests
{
    private static NamespaceGraph Graph(string assembly) =>
        NamespaceGraph.Read(Path.Combine(AppContext.BaseDirectory, assembly + ".dll"), "Hokusai.Keys");

    public static TheoryData<string> Assemblies() => [.. SourceTree.Projects.Select(p => p.Assembly)];

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void No_folders_depend_on_each_other_in_a_cycle(string assembly)
    {
        var graph = Graph(assembly);
        var cycles = Cycles(graph).Select(cycle => string.Join("\n    ", cycle.SelectMany(from =>
            graph.Uses(from).Where(use => cycle.Contains(use.Key)).Select(use => $"{from} -> {use.Key} ({use.Value})")))).ToList();
        Assert.True(cycles.Count == 0,
            $"folders of {assembly} in a cycle (move the shared piece into the folder that needs it, or invert a use with an interface):\n    "
            + string.Join("\n  and\n    ", cycles));
    }

    [Fact]
    public void Every_product_assembly_is_read()
    {
        var missing = SourceTree.Projects.Where(p => !File.Exists(Path.Combine(AppContext.BaseDirectory, p.Assembly + ".dll"))).Select(p => p.Project).ToList();
        Assert.True(missing.Count == 0, "reference these from Hokusai.Keys.Architecture.Tests.csproj: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_graph_sees_uses_in_signatures_and_in_method_bodies()
    {
        var azure = Graph("Hokusai.Keys.Azure");
        Assert.Equal("Hokusai.Keys.Azure", azure.Root);
        Assert.Contains("Hokusai.Keys.Azure.Tables", azure.Folders);
        // ExpirySweeper takes StorageTables in its constructor and calls ExpiryIndex (static) in a method body.
        Assert.Contains("Hokusai.Keys.Azure.Tables", azure.Uses("Hokusai.Keys.Azure.Lifecycle").Keys);
        var core = Graph("Hokusai.Keys.Core");
        Assert.Equal("Hokusai.Keys", core.Root);
        Assert.Contains("Hokusai.Keys.Storage", core.Uses("Hokusai.Keys.Management").Keys);
    }

    /// <summary>The strongly connected sets of more than one folder (Tarjan).</summary>
    private static List<List<string>> Cycles(NamespaceGraph graph)
    {
        var folders = graph.Folders.ToList();
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var cycles = new List<List<string>>();

        void Visit(string folder)
        {
            index[folder] = low[folder] = index.Count;
            stack.Push(folder);
            foreach (var next in graph.Uses(folder).Keys.Where(folders.Contains))
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[folder] = Math.Min(low[folder], low[next]);
                }
                else if (stack.Contains(next))
                {
                    low[folder] = Math.Min(low[folder], index[next]);
                }
            }
            if (low[folder] != index[folder]) return;
            var component = new List<string>();
            string member;
            do
            {
                member = stack.Pop();
                component.Add(member);
            }
            while (member != folder);
            if (component.Count > 1) cycles.Add(component);
        }

        foreach (var folder in folders.Where(f => !index.ContainsKey(f))) Visit(folder);
        return cycles;
    }
}
