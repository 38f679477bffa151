namespace Hokusai.Keys.Testing;

/// <summary>Fenced code blocks of the repository's Markdown files, so tests run what the docs show, not a copy of it.</summary>
public static class MarkdownCodeBlocks
{
    /// <summary>The text of every block fenced as <c>```<paramref name="language"/></c> in the file, in order.</summary>
    public static IReadOnlyList<string> Of(string relativePath, string language)
    {
        var blocks = new List<string>();
        List<string>? open = null;
        foreach (var line in File.ReadAllLines(Path.Combine(RepoPaths.Root, relativePath)))
        {
            if (open is null)
            {
                if (line.StartsWith("```", StringComparison.Ordinal) && line[3..].Trim() == language) open = [];
            }
            else if (line.StartsWith("```", StringComparison.Ordinal))
            {
                blocks.Add(string.Join('\n', open) + "\n");
                open = null;
            }
            else
            {
                open.Add(line);
            }
        }
        return blocks;
    }
}
