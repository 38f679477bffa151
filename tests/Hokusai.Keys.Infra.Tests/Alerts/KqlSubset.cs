using System.Globalization;

namespace Hokusai.Keys.Infra.Tests.Alerts;

/// <summary>A KQL construct outside the subset the alert files may use.</summary>
public sealed class KqlNotSupportedException(string message) : Exception(message);

/// <summary>
/// An evaluator for exactly the KQL the alert files use (the Kusto parser is not on our package feed):
/// <c>Table | where e | extend c = e, … | summarize c = agg(…), … by col, …</c>, with <c>and</c>, <c>or</c>,
/// comparisons, <c>+ - * /</c>, <c>ago()</c>, <c>tostring()</c>, <c>todouble()</c>, <c>Properties.name</c>, and the
/// aggregations <c>count()</c>, <c>countif(p)</c>, <c>sum(x)</c>, <c>sumif(x, p)</c>, <c>max(x)</c>. Anything else is
/// refused, so an alert cannot rely on semantics this evaluator does not model. Semantics follow Kusto where the subset
/// touches them: null compares false, <c>tostring(null)</c> is "", long / long divides as integers, summarize needs
/// <c>by</c> (Kusto answers an empty input without <c>by</c> with one row, which would make "rows &gt; 0" fire).
/// </summary>
public sealed class KqlSubset
{
    private readonly List<Token> _tokens;
    private int _at;

    private KqlSubset(string text) => _tokens = Tokenize(text);

    public string Table { get; private set; } = "";

    private readonly List<Func<IEnumerable<Row>, DateTimeOffset, IEnumerable<Row>>> _stages = [];

    /// <summary>Column names the query reads from its table.</summary>
    public HashSet<string> ColumnsRead { get; } = new(StringComparer.Ordinal);

    /// <summary>Every <c>Properties.name</c> the query reads.</summary>
    public HashSet<string> PropertiesRead { get; } = new(StringComparer.Ordinal);

    /// <summary>Every (column, literal) of a <c>column == "literal"</c> or <c>!=</c> comparison.</summary>
    public List<(string Column, string Literal)> StringComparisons { get; } = [];

    public static KqlSubset Parse(string text)
    {
        var query = new KqlSubset(text);
        query.ParseQuery();
        return query;
    }

    /// <summary>Runs the query over <paramref name="rows"/> (each a column → value map) as of <paramref name="now"/>.</summary>
    public IReadOnlyList<Row> Run(IEnumerable<Row> rows, DateTimeOffset now)
    {
        var current = rows;
        foreach (var stage in _stages) current = stage(current, now).ToList();
        return current.ToList();
    }

    public sealed class Row : Dictionary<string, object?>
    {
        public Row() : base(StringComparer.Ordinal) { }

        public Row(IDictionary<string, object?> values) : base(values, StringComparer.Ordinal) { }
    }

    // ---- parsing ----

    private void ParseQuery()
    {
        Table = Expect(TokenKind.Identifier).Text;
        var columns = new HashSet<string>(StringComparer.Ordinal); // columns added by extend/summarize
        var source = true;
        while (!AtEnd)
        {
            Expect(TokenKind.Symbol, "|");
            var op = Expect(TokenKind.Identifier).Text;
            switch (op)
            {
                case "where":
                {
                    var predicate = ParseExpression(columns, source);
                    _stages.Add((rows, now) => rows.Where(r => Truthy(predicate(r, now))));
                    break;
                }
                case "extend":
                {
                    var assignments = new List<(string Name, Expr Value)>();
                    do
                    {
                        var name = Expect(TokenKind.Identifier).Text;
                        Expect(TokenKind.Symbol, "=");
                        assignments.Add((name, ParseExpression(columns, source)));
                        columns.Add(name);
                    }
                    while (Accept(TokenKind.Symbol, ","));
                    _stages.Add((rows, now) => rows.Select(r =>
                    {
                        var extended = new Row(r);
                        foreach (var (name, value) in assignments) extended[name] = value(extended, now);
                        return extended;
                    }));
                    break;
                }
                case "summarize":
                    ParseSummarize(columns, source);
                    source = false;
                    break;
                default:
                    throw new KqlNotSupportedException($"operator '{op}' is outside the alert subset (where, extend, summarize)");
            }
        }
    }

    private void ParseSummarize(HashSet<string> columns, bool source)
    {
        var aggregates = new List<(string Name, Func<List<Row>, DateTimeOffset, object?> Compute)>();
        do
        {
            var name = Expect(TokenKind.Identifier).Text;
            Expect(TokenKind.Symbol, "=");
            var function = Expect(TokenKind.Identifier).Text;
            Expect(TokenKind.Symbol, "(");
            var arguments = new List<Expr>();
            if (!Accept(TokenKind.Symbol, ")"))
            {
                do arguments.Add(ParseExpression(columns, source));
                while (Accept(TokenKind.Symbol, ","));
                Expect(TokenKind.Symbol, ")");
            }
            aggregates.Add((name, Aggregate(function, arguments)));
        }
        while (Accept(TokenKind.Symbol, ","));
        if (!(Peek is { Kind: TokenKind.Identifier, Text: "by" }))
            throw new KqlNotSupportedException("summarize without 'by' (Kusto returns a row for an empty input)");
        _at++;
        var keys = new List<string>();
        do
        {
            var key = Expect(TokenKind.Identifier).Text;
            if (Peek is { Kind: TokenKind.Symbol, Text: "(" or "=" })
                throw new KqlNotSupportedException($"summarize by '{key}(…)' or 'name = …': only columns (extend them first)");
            if (!columns.Contains(key))
            {
                if (!source) throw new KqlNotSupportedException($"unknown column '{key}'");
                ColumnsRead.Add(key);
            }
            keys.Add(key);
        }
        while (Accept(TokenKind.Symbol, ","));
        columns.Clear();
        columns.UnionWith(keys);
        columns.UnionWith(aggregates.Select(a => a.Name));
        _stages.Add((rows, now) => rows
            .GroupBy(r => string.Join("\u0001", keys.Select(k => Format(Column(r, k)))), StringComparer.Ordinal)
            .Select(group =>
            {
                var members = group.ToList();
                var result = new Row();
                foreach (var key in keys) result[key] = Column(members[0], key);
                foreach (var (name, compute) in aggregates) result[name] = compute(members, now);
                return result;
            }));
    }

    private static Func<List<Row>, DateTimeOffset, object?> Aggregate(string function, List<Expr> arguments)
    {
        void Arity(int count)
        {
            if (arguments.Count != count) throw new KqlNotSupportedException($"{function}() takes {count} argument(s)");
        }

        switch (function)
        {
            case "count":
                Arity(0);
                return (rows, _) => (long)rows.Count;
            case "countif":
                Arity(1);
                return (rows, now) => (long)rows.Count(r => Truthy(arguments[0](r, now)));
            case "sum":
                Arity(1);
                return (rows, now) => Sum(rows.Select(r => arguments[0](r, now)));
            case "sumif":
                Arity(2);
                // Assumed: 0 when no row matches (the alert files do not depend on it being null).
                return (rows, now) => Sum(rows.Where(r => Truthy(arguments[1](r, now))).Select(r => arguments[0](r, now)));
            case "max":
                Arity(1);
                return (rows, now) =>
                {
                    var values = rows.Select(r => arguments[0](r, now)).Where(v => v is not null).ToList();
                    return values.Count == 0 ? null : values.All(v => v is long) ? values.Max(v => (long)v!) : values.Max(Number);
                };
            default:
                throw new KqlNotSupportedException($"aggregation '{function}' is outside the alert subset (count, countif, sum, sumif, max)");
        }
    }

    private static object Sum(IEnumerable<object?> values)
    {
        var present = values.Where(v => v is not null).ToList();
        return present.All(v => v is long) ? present.Sum(v => (long)v!) : present.Sum(Number);
    }

    private delegate object? Expr(Row row, DateTimeOffset now);

    private Expr ParseExpression(HashSet<string> columns, bool source) => ParseOr(columns, source);

    private Expr ParseOr(HashSet<string> columns, bool source)
    {
        var left = ParseAnd(columns, source);
        while (Accept(TokenKind.Identifier, "or"))
        {
            var l = left;
            var r = ParseAnd(columns, source);
            left = (row, now) => Truthy(l(row, now)) || Truthy(r(row, now));
        }
        return left;
    }

    private Expr ParseAnd(HashSet<string> columns, bool source)
    {
        var left = ParseComparison(columns, source);
        while (Accept(TokenKind.Identifier, "and"))
        {
            var l = left;
            var r = ParseComparison(columns, source);
            left = (row, now) => Truthy(l(row, now)) && Truthy(r(row, now));
        }
        return left;
    }

    private static readonly string[] ComparisonOperators = ["==", "!=", ">", "<", ">=", "<="];

    private Expr ParseComparison(HashSet<string> columns, bool source)
    {
        var leftStart = _at;
        var left = ParseAdditive(columns, source);
        if (Peek is not { Kind: TokenKind.Symbol } token || !ComparisonOperators.Contains(token.Text)) return left;
        _at++;
        var rightStart = _at;
        var right = ParseAdditive(columns, source);
        if (token.Text is "==" or "!=" && rightStart == _at - 1 && _tokens[rightStart].Kind == TokenKind.String && leftStart == rightStart - 2
            && _tokens[leftStart].Kind == TokenKind.Identifier)
            StringComparisons.Add((_tokens[leftStart].Text, _tokens[rightStart].Text));
        var op = token.Text;
        return (row, now) => Compare(left(row, now), right(row, now), op);
    }

    private Expr ParseAdditive(HashSet<string> columns, bool source)
    {
        var left = ParseMultiplicative(columns, source);
        while (Peek is { Kind: TokenKind.Symbol, Text: "+" or "-" } token)
        {
            _at++;
            var l = left;
            var r = ParseMultiplicative(columns, source);
            var op = token.Text;
            left = (row, now) => Arithmetic(l(row, now), r(row, now), op);
        }
        return left;
    }

    private Expr ParseMultiplicative(HashSet<string> columns, bool source)
    {
        var left = ParsePrimary(columns, source);
        while (Peek is { Kind: TokenKind.Symbol, Text: "*" or "/" } token)
        {
            _at++;
            var l = left;
            var r = ParsePrimary(columns, source);
            var op = token.Text;
            left = (row, now) => Arithmetic(l(row, now), r(row, now), op);
        }
        return left;
    }

    private Expr ParsePrimary(HashSet<string> columns, bool source)
    {
        var token = Next();
        switch (token.Kind)
        {
            case TokenKind.Long:
            {
                var value = long.Parse(token.Text, CultureInfo.InvariantCulture);
                return (_, _) => value;
            }
            case TokenKind.Real:
            {
                var value = double.Parse(token.Text, CultureInfo.InvariantCulture);
                return (_, _) => value;
            }
            case TokenKind.Timespan:
            {
                var value = token.Timespan;
                return (_, _) => value;
            }
            case TokenKind.String:
            {
                var value = token.Text;
                return (_, _) => value;
            }
            case TokenKind.Symbol when token.Text == "(":
            {
                var inner = ParseExpression(columns, source);
                Expect(TokenKind.Symbol, ")");
                return inner;
            }
            case TokenKind.Identifier when Accept(TokenKind.Symbol, "("):
            {
                var argument = ParseExpression(columns, source);
                Expect(TokenKind.Symbol, ")");
                return token.Text switch
                {
                    "ago" => (row, now) => argument(row, now) is TimeSpan span ? now - span : throw new KqlNotSupportedException("ago() takes a timespan"),
                    "tostring" => (row, now) => Format(argument(row, now)),
                    "todouble" => (row, now) => argument(row, now) is { } v ? Number(v) : null,
                    _ => throw new KqlNotSupportedException($"function '{token.Text}' is outside the alert subset (ago, tostring, todouble)"),
                };
            }
            case TokenKind.Identifier when token.Text is "and" or "or" or "by" or "not":
                throw new KqlNotSupportedException($"unexpected '{token.Text}'");
            case TokenKind.Identifier:
            {
                var name = token.Text;
                if (Accept(TokenKind.Symbol, "."))
                {
                    if (name != "Properties") throw new KqlNotSupportedException($"member access on '{name}': only Properties.name");
                    if (!source) throw new KqlNotSupportedException("Properties after summarize");
                    ColumnsRead.Add(name);
                    var property = Expect(TokenKind.Identifier).Text;
                    PropertiesRead.Add(property);
                    return (row, _) => Column(row, name) is IReadOnlyDictionary<string, object?> bag ? bag.GetValueOrDefault(property) : null;
                }
                if (!columns.Contains(name))
                {
                    if (!source) throw new KqlNotSupportedException($"unknown column '{name}'");
                    ColumnsRead.Add(name);
                }
                return (row, _) => Column(row, name);
            }
            default:
                throw new KqlNotSupportedException($"unexpected '{token.Text}'");
        }
    }

    /// <summary>A column of the row; one the row does not have is an error (a misspelt column must not read as null).</summary>
    private static object? Column(Row row, string name) =>
        row.TryGetValue(name, out var value) ? value : throw new KqlNotSupportedException($"unknown column '{name}'");

    // ---- values ----

    private static bool Truthy(object? value) => value is true;

    private static string Format(object? value) => value switch
    {
        null => "",
        string s => s,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private static double Number(object? value) => value switch
    {
        long l => l,
        double d => d,
        int i => i,
        _ => throw new KqlNotSupportedException($"'{Format(value)}' is not a number"),
    };

    private static object? Arithmetic(object? left, object? right, string op)
    {
        if (left is null || right is null) return null;
        if (left is DateTimeOffset time && right is TimeSpan span && op is "+" or "-") return op == "+" ? time + span : time - span;
        if (left is long a && right is long b)
            return op switch { "+" => a + b, "-" => a - b, "*" => a * b, _ => b == 0 ? null : a / b };
        var x = Number(left);
        var y = Number(right);
        return op switch { "+" => x + y, "-" => x - y, "*" => x * y, _ => y == 0 ? null : x / y };
    }

    private static bool Compare(object? left, object? right, string op)
    {
        if (left is null || right is null) return false;
        int order;
        if (left is string || right is string)
        {
            if (left is not string l || right is not string r) throw new KqlNotSupportedException("a string compared with a non-string");
            if (op is not ("==" or "!=")) throw new KqlNotSupportedException("strings compare only with == and !=");
            order = string.CompareOrdinal(l, r);
        }
        else if (left is DateTimeOffset a && right is DateTimeOffset b) order = a.CompareTo(b);
        else if (left is TimeSpan c && right is TimeSpan d) order = c.CompareTo(d);
        else order = Number(left).CompareTo(Number(right));
        return op switch
        {
            "==" => order == 0,
            "!=" => order != 0,
            ">" => order > 0,
            "<" => order < 0,
            ">=" => order >= 0,
            _ => order <= 0,
        };
    }

    // ---- tokens ----

    private enum TokenKind { Identifier, Long, Real, Timespan, String, Symbol, End }

    private sealed record Token(TokenKind Kind, string Text, TimeSpan Timespan = default);

    private bool AtEnd => Peek.Kind == TokenKind.End;

    private Token Peek => _tokens[_at];

    private Token Next() => AtEnd ? throw new KqlNotSupportedException("unexpected end of query") : _tokens[_at++];

    private bool Accept(TokenKind kind, string text)
    {
        if (Peek.Kind != kind || Peek.Text != text) return false;
        _at++;
        return true;
    }

    private Token Expect(TokenKind kind, string? text = null)
    {
        var token = Next();
        if (token.Kind != kind || (text is not null && token.Text != text))
            throw new KqlNotSupportedException($"expected {text ?? kind.ToString()}, found '{token.Text}'");
        return token;
    }

    private static readonly string[] Symbols = ["==", "!=", ">=", "<=", "|", "(", ")", ",", ".", "=", ">", "<", "+", "-", "*", "/"];

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                while (i < text.Length && text[i] != '\n') i++;
                continue;
            }
            if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_')) i++;
                tokens.Add(new Token(TokenKind.Identifier, text[start..i]));
                continue;
            }
            if (char.IsDigit(c))
            {
                var start = i;
                while (i < text.Length && char.IsDigit(text[i])) i++;
                var real = i + 1 < text.Length && text[i] == '.' && char.IsDigit(text[i + 1]);
                if (real)
                {
                    i++;
                    while (i < text.Length && char.IsDigit(text[i])) i++;
                }
                var number = text[start..i];
                var unitStart = i;
                while (i < text.Length && char.IsLetter(text[i])) i++;
                var unit = text[unitStart..i];
                if (unit.Length == 0)
                {
                    tokens.Add(new Token(real ? TokenKind.Real : TokenKind.Long, number));
                    continue;
                }
                var amount = double.Parse(number, CultureInfo.InvariantCulture);
                var span = unit switch
                {
                    "d" => TimeSpan.FromDays(amount),
                    "h" => TimeSpan.FromHours(amount),
                    "m" => TimeSpan.FromMinutes(amount),
                    "s" => TimeSpan.FromSeconds(amount),
                    _ => throw new KqlNotSupportedException($"timespan unit '{unit}' (d, h, m, s)"),
                };
                tokens.Add(new Token(TokenKind.Timespan, text[start..i], span));
                continue;
            }
            if (c == '"')
            {
                var end = text.IndexOf('"', i + 1);
                if (end < 0) throw new KqlNotSupportedException("unterminated string");
                var value = text[(i + 1)..end];
                if (value.Contains('\\')) throw new KqlNotSupportedException("escapes in strings");
                tokens.Add(new Token(TokenKind.String, value));
                i = end + 1;
                continue;
            }
            var symbol = Symbols.FirstOrDefault(s => string.CompareOrdinal(text, i, s, 0, s.Length) == 0)
                ?? throw new KqlNotSupportedException($"character '{c}' is outside the alert subset");
            tokens.Add(new Token(TokenKind.Symbol, symbol));
            i += symbol.Length;
        }
        tokens.Add(new Token(TokenKind.End, "end of query"));
        return tokens;
    }
}
