using Spectre.Console;
using Spectre.Console.Rendering;

namespace Hokusai.Keys.Cli.Output;

/// <summary>
/// Writes a listing as a table fitted to the terminal, or as tab-separated rows when output is not a terminal
/// (docs/cli.md, "Output").
/// </summary>
internal static class ListWriter
{
    /// <summary>Header then one line per item; tabs and line breaks inside values become spaces so every row stays one line.</summary>
    public static void WriteTsv<T>(TextWriter writer, IReadOnlyList<ListColumn<T>> columns, IEnumerable<T> items)
    {
        writer.WriteLine(string.Join('\t', columns.Select(c => c.TsvName)));
        foreach (var item in items) writer.WriteLine(string.Join('\t', columns.Select(c => Clean(c.TsvValue(item)))));
    }

    /// <summary>
    /// A borderless table no wider than <paramref name="width"/>: no cell wraps. Elastic columns are cut with an ellipsis
    /// first (down to their <see cref="ListColumn{T}.ShrinkTo"/>); when that is not enough, columns are dropped by
    /// <see cref="ListColumn{T}.DropOrder"/>.
    /// </summary>
    public static Table FitTable<T>(IAnsiConsole console, IReadOnlyList<ListColumn<T>> columns, IReadOnlyList<T> items, int width)
    {
        var options = RenderOptions.Create(console, console.Profile.Capabilities);
        var active = columns.ToList();
        while (true)
        {
            var natural = active.Select(c => Math.Max(Measure(options, c.Header), items.Count == 0 ? 0 : items.Max(i => Measure(options, c.Cell(i))))).ToArray();
            var table = Build(active, items, natural, options);
            var excess = ((IRenderable)table).Measure(options, int.MaxValue).Max - width;
            var widths = (int[])natural.Clone();
            for (; excess > 0; excess--)
            {
                // Take one character from the widest elastic column that can still give one.
                var widest = -1;
                for (var i = 0; i < active.Count; i++)
                    if (active[i].ShrinkTo is { } floor && widths[i] > Math.Min(floor, natural[i]) && (widest < 0 || widths[i] > widths[widest])) widest = i;
                if (widest < 0) break;
                widths[widest]--;
            }
            var droppable = active.Where(c => c.DropOrder > 0).OrderBy(c => c.DropOrder).FirstOrDefault();
            if (excess <= 0 || droppable is null) return Build(active, items, widths, options);
            active.Remove(droppable);
        }
    }

    private static Table Build<T>(IReadOnlyList<ListColumn<T>> columns, IReadOnlyList<T> items, int[] widths, RenderOptions options)
    {
        var table = new Table().Border(TableBorder.None);
        for (var i = 0; i < columns.Count; i++)
        {
            var last = i == columns.Count - 1;
            table.AddColumn(new TableColumn(new Text(columns[i].Header, new Style(decoration: Decoration.Bold)))
            {
                NoWrap = true,
                Width = widths[i],
                Alignment = columns[i].Alignment,
                Padding = new Padding(0, 0, last ? 0 : 2, 0),
            });
        }
        foreach (var item in items)
            table.AddRow(columns.Select((c, i) => (IRenderable)new Text(Cut(options, c.Cell(item), widths[i]), c.CellStyle?.Invoke(item))));
        return table;
    }

    /// <summary>
    /// <paramref name="text"/> cut to <paramref name="width"/> cells, ending in "…" when cut. Done here because a Spectre
    /// Text in a too-narrow column wraps at word boundaries, NoWrap or not.
    /// </summary>
    private static string Cut(RenderOptions options, string text, int width)
    {
        if (Measure(options, text) <= width) return text;
        var length = Math.Min(text.Length, width);
        while (length > 0 && Measure(options, text[..length] + "…") > width) length--;
        return text[..length].TrimEnd() + "…";
    }

    private static int Measure(RenderOptions options, string text) => ((IRenderable)new Text(text)).Measure(options, int.MaxValue).Max;

    private static string Clean(string value) => value.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');
}
