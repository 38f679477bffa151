using Spectre.Console;

namespace Hokusai.Keys.Cli.Output;

/// <summary>
/// One column of a listing: its table header and cell, its TSV name and value, and how it gives way when the terminal is
/// narrow. <see cref="DropOrder"/> 0 keeps the column at any width; otherwise lower numbers are dropped first.
/// <see cref="ShrinkTo"/> makes the column elastic: its cells may be cut with an ellipsis down to that many characters.
/// </summary>
internal sealed record ListColumn<T>(string Header, string TsvName, Func<T, string> Cell, Func<T, string> TsvValue)
{
    public int DropOrder { get; init; }

    public int? ShrinkTo { get; init; }

    /// <summary>False: a TSV-only column (the table says it another way, e.g. Status for the revocation time).</summary>
    public bool InTable { get; init; } = true;

    public Justify Alignment { get; init; } = Justify.Left;

    /// <summary>The cell's style (e.g. a status colour); plain when null.</summary>
    public Func<T, Style?>? CellStyle { get; init; }
}
