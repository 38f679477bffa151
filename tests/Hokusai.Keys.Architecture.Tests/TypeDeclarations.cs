using System.Text;
using System.Text.RegularExpressions;

namespace Hokusai.Keys.Architecture.Tests;

/// <summary>
/// The top-level types a C# file declares and its namespace, read from the text: comments, strings and character
/// literals are blanked first, so only the code's own braces count; a declaration outside every type is top level.
/// </summary>
internal static partial class TypeDeclarations
{
    public sealed record Declaration(string Name, bool IsFileLocal);

    public static (string? Namespace, IReadOnlyList<Declaration> Types) Read(string source)
    {
        var code = Blank(source);
        var types = new List<Declaration>();
        var depth = 0;
        var namespaceDepth = 0;
        var namespaceOpening = false;
        foreach (var line in code.Split('\n'))
        {
            var trimmed = line.Trim();
            if (NamespaceBlock().IsMatch(trimmed)) namespaceOpening = true;
            else if (depth == namespaceDepth && Declared().Match(trimmed) is { Success: true } match)
            {
                types.Add(new Declaration(match.Groups["name"].Value.TrimStart('@'), match.Groups["modifiers"].Value.Split(' ').Contains("file")));
            }
            foreach (var c in line)
            {
                if (c == '{')
                {
                    depth++;
                    if (namespaceOpening) { namespaceDepth = depth; namespaceOpening = false; }
                }
                else if (c == '}')
                {
                    if (depth == namespaceDepth && namespaceDepth > 0) namespaceDepth--;
                    depth--;
                }
            }
        }
        var ns = Namespace().Match(code);
        return (ns.Success ? ns.Groups[1].Value : null, types);
    }

    /// <summary>The text with comments, string and character literals replaced by spaces (line breaks kept).</summary>
    internal static string Blank(string source)
    {
        var output = new StringBuilder(source);
        var i = 0;
        void Clear(int from, int to)
        {
            for (var k = from; k < to && k < output.Length; k++)
            {
                if (output[k] != '\n') output[k] = ' ';
            }
        }
        int Find(string what, int from) => source.IndexOf(what, from, StringComparison.Ordinal) is var at and >= 0 ? at : source.Length;

        while (i < source.Length)
        {
            var rest = source.AsSpan(i);
            if (rest.StartsWith("//")) { var end = Find("\n", i); Clear(i, end); i = end; }
            else if (rest.StartsWith("/*")) { var end = Find("*/", i + 2) + 2; Clear(i, end); i = end; }
            else if (rest.TrimStart("$@").StartsWith("\"\"\""))
            {
                // Raw string: closed by as many quotes as opened it.
                var open = i + (rest.Length - rest.TrimStart("$@").Length);
                var quotes = source.AsSpan(open).Length - source.AsSpan(open).TrimStart('"').Length;
                var end = Find(new string('"', quotes), open + quotes) + quotes;
                Clear(i, end); i = end;
            }
            else if (rest.StartsWith("@\"") || rest.StartsWith("$@\"") || rest.StartsWith("@$\""))
            {
                var k = i + rest.IndexOf('"') + 1;
                while (k < source.Length && !(source[k] == '"' && (k + 1 >= source.Length || source[k + 1] != '"'))) k += source[k] == '"' ? 2 : 1;
                Clear(i, k + 1); i = k + 1;
            }
            else if (rest[0] == '"' || rest[0] == '\'' || rest.StartsWith("$\""))
            {
                var quote = rest[0] == '$' ? '"' : rest[0];
                var k = i + (rest[0] == '$' ? 2 : 1);
                while (k < source.Length && source[k] != quote && source[k] != '\n') k += source[k] == '\\' ? 2 : 1;
                Clear(i, k + 1); i = k + 1;
            }
            else i++;
        }
        return output.ToString();
    }

    [GeneratedRegex(@"^(?:\[.*\]\s*)*(?<modifiers>(?:(?:public|internal|private|protected|file|static|sealed|abstract|partial|readonly|ref|unsafe|new)\s+)*)(?:class|struct|interface|enum|record(?:\s+class|\s+struct)?|delegate\s+[^\s(]+)\s+(?<name>@?[A-Za-z_]\w*)")]
    private static partial Regex Declared();

    [GeneratedRegex(@"^namespace\s+[\w.]+\s*(?:\{.*)?$")]
    private static partial Regex NamespaceBlock();

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex Namespace();
}
