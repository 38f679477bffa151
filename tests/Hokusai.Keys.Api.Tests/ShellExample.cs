using System.Text;
using System.Text.RegularExpressions;

namespace Hokusai.Keys.Api.Tests;

/// <summary>
/// A fenced shell block (```bash, sh, shell, console) of a Markdown document that runs curl: where it is, its text,
/// its commands with the status each promises (a <c># → 201</c> comment ending the command), or why it is not run
/// (<c>&lt;!-- not run: reason --&gt;</c> on the line before the fence).
/// </summary>
internal sealed partial record ShellExample(string Document, int Line, string Text, string? NotRunReason, IReadOnlyList<ShellExample.Command> Commands)
{
    private static readonly HashSet<string> ShellLanguages = new(StringComparer.OrdinalIgnoreCase) { "bash", "sh", "shell", "console", "zsh" };

    public string Where => $"{Document}:{Line}";

    /// <summary>One logical command (backslash continuations joined): its code and its trailing comment.</summary>
    internal sealed record Command(int Line, string Code, string Comment)
    {
        public int CurlCalls => CurlCall().Matches(Code).Count;

        public int? PromisedStatus => Promise().Match(Comment) is { Success: true } match ? int.Parse(match.Groups["status"].Value) : null;

        public bool SendsBody => BodyOption().IsMatch(Code);

        public bool DeclaresJson => JsonContentType().IsMatch(Code);
    }

    public IEnumerable<Command> CurlCommands => Commands.Where(c => c.CurlCalls > 0);

    /// <summary>The shell blocks of <paramref name="relativePath"/> (under <paramref name="root"/>) that call curl.</summary>
    public static IEnumerable<ShellExample> In(string root, string relativePath)
    {
        var lines = File.ReadAllLines(Path.Combine(root, relativePath));
        for (var i = 0; i < lines.Length; i++)
        {
            var open = FenceOpen().Match(lines[i]);
            if (!open.Success) continue;
            var fence = open.Groups["fence"].Value;
            var end = i + 1;
            while (end < lines.Length && !IsClosing(lines[end], fence)) end++;
            if (ShellLanguages.Contains(open.Groups["lang"].Value))
            {
                var body = lines[(i + 1)..Math.Min(end, lines.Length)];
                var commands = Split(body, firstLine: i + 2);
                if (commands.Any(c => c.CurlCalls > 0))
                {
                    var before = lines[..i].LastOrDefault(l => l.Trim().Length > 0) ?? "";
                    var marker = NotRunMarker().Match(before);
                    yield return new ShellExample(relativePath.Replace('\\', '/'), i + 1, string.Join('\n', body),
                        marker.Success ? marker.Groups["reason"].Value.Trim() : null, commands);
                }
            }
            i = end;
        }
    }

    private static bool IsClosing(string line, string fence)
    {
        var trimmed = line.Trim();
        return trimmed.Length >= fence.Length && trimmed.All(c => c == fence[0]);
    }

    /// <summary>
    /// Splits a block into logical commands: a line continues while it ends in a backslash or inside a quoted string;
    /// a <c>#</c> that starts a word outside quotes begins a comment.
    /// </summary>
    private static List<Command> Split(string[] body, int firstLine)
    {
        var commands = new List<Command>();
        var code = new StringBuilder();
        var comment = new StringBuilder();
        var start = -1;
        bool inSingle = false, inDouble = false;
        for (var n = 0; n < body.Length; n++)
        {
            var line = body[n];
            if (start < 0)
            {
                if (line.Trim().Length == 0) continue;
                start = firstLine + n;
            }
            var continues = false;
            for (var at = 0; at < line.Length; at++)
            {
                var c = line[at];
                if (inSingle) { if (c == '\'') inSingle = false; code.Append(c); continue; }
                if (c == '\\')
                {
                    if (at == line.Length - 1) { continues = true; break; }
                    code.Append(c).Append(line[++at]);
                    continue;
                }
                if (inDouble) { if (c == '"') inDouble = false; code.Append(c); continue; }
                if (c == '\'') inSingle = true;
                else if (c == '"') inDouble = true;
                else if (c == '#' && (at == 0 || char.IsWhiteSpace(line[at - 1])))
                {
                    comment.Append(line[(at + 1)..].Trim()).Append(' ');
                    break;
                }
                code.Append(c);
            }
            code.Append('\n');
            if (continues || inSingle || inDouble) continue;
            commands.Add(new Command(start, code.ToString().Trim(), comment.ToString().Trim()));
            code.Clear();
            comment.Clear();
            start = -1;
        }
        if (start >= 0) commands.Add(new Command(start, code.ToString().Trim(), comment.ToString().Trim()));
        return commands;
    }

    [GeneratedRegex(@"^ {0,3}(?<fence>`{3,}|~{3,})\s*(?<lang>[\w+-]*)")]
    private static partial Regex FenceOpen();

    [GeneratedRegex(@"<!--\s*not run:\s*(?<reason>\S.*?)\s*-->", RegexOptions.IgnoreCase)]
    private static partial Regex NotRunMarker();

    /// <summary>curl in command position: first word of a command, of a pipeline stage or of a <c>$( )</c>.</summary>
    [GeneratedRegex(@"(?:^|[;&|(`])[ \t]*curl(?=\s)", RegexOptions.Multiline)]
    private static partial Regex CurlCall();

    [GeneratedRegex(@"→\s*(?<status>[1-5]\d\d)\b")]
    private static partial Regex Promise();

    [GeneratedRegex(@"(?<=\s)(?:-d|--data(?:-raw|-binary|-urlencode|-ascii)?|--json)(?=[\s='""$])")]
    private static partial Regex BodyOption();

    [GeneratedRegex(@"--json(?=\s)|Content-Type:\s*application/json", RegexOptions.IgnoreCase)]
    private static partial Regex JsonContentType();
}
