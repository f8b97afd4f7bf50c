using System.Globalization;

namespace Twin.Host.Import;

/// <summary>A parsed JSON or YAML value with its position, so a wrong field can be reported with file, line and column.
/// <see cref="Path"/> is the dotted path from the document root (<c>status.interfaces[0].totalvfs</c>).</summary>
internal abstract class DataNode(int line, int column, string path)
{
    public int Line { get; } = line;
    public int Column { get; } = column;
    public string Path { get; } = path;
}

/// <summary>The type a scalar was written as (JSON types; YAML plain scalars are classified the same way).</summary>
internal enum ScalarKind
{
    Null,
    Bool,
    Number,
    String,
}

internal sealed class DataScalar(int line, int column, string path, string? text, ScalarKind kind) : DataNode(line, column, path)
{
    public string? Text { get; } = text;
    public ScalarKind Kind { get; } = kind;
}

internal sealed class DataList(int line, int column, string path, IReadOnlyList<DataNode> items) : DataNode(line, column, path)
{
    public IReadOnlyList<DataNode> Items { get; } = items;
}

internal sealed class DataMap(int line, int column, string path, IReadOnlyList<KeyValuePair<string, DataNode>> entries) : DataNode(line, column, path)
{
    public IReadOnlyList<KeyValuePair<string, DataNode>> Entries { get; } = entries;

    /// <summary>The value of <paramref name="key"/>: exact match first, then case-insensitive (PowerShell property
    /// names are case-insensitive).</summary>
    public DataNode? Get(string key)
    {
        foreach (var e in Entries) if (e.Key == key) return e.Value;
        foreach (var e in Entries) if (string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase)) return e.Value;
        return null;
    }

    public bool Has(string key) => Get(key) is { } v && !(v is DataScalar { Kind: ScalarKind.Null });

    public DataMap? Map(string key) => Get(key) as DataMap;
}

/// <summary>Typed reads of <see cref="DataNode"/> values that throw <see cref="ImportException"/> naming the file, line,
/// column and field. Every list read accepts a single value too: PowerShell's ConvertTo-Json writes a one-element
/// array as a bare value.</summary>
internal static class Data
{
    public static string? Str(this DataMap map, string key) => Str(map.Get(key));

    public static string? Str(DataNode? node) => node is DataScalar { Kind: not ScalarKind.Null } s ? s.Text : null;

    public static int? Int(this DataMap map, string key, ParseContext ctx)
    {
        var node = map.Get(key);
        return node is null ? null : Int(node, ctx);
    }

    public static int? Int(DataNode node, ParseContext ctx)
    {
        switch (node)
        {
            case DataScalar { Kind: ScalarKind.Null }:
                return null;
            case DataScalar s when s.Text is { } t && long.TryParse(t.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v):
                if (v is > int.MaxValue or < int.MinValue) throw ctx.Error(s, $"'{t}' is out of range");
                return (int)v;
            case DataScalar s when s.Text is { } t && double.TryParse(t.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                                                    && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue:
                return (int)d;
            case DataScalar s:
                throw ctx.Error(s, $"'{s.Text}' is not a number");
            default:
                throw ctx.Error(node, "is not a number (found a " + (node is DataList ? "list" : "map") + ")");
        }
    }

    public static double? Double(this DataMap map, string key, ParseContext ctx)
    {
        var node = map.Get(key);
        switch (node)
        {
            case null or DataScalar { Kind: ScalarKind.Null }:
                return null;
            case DataScalar s when s.Text is { } t && double.TryParse(t.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d):
                return d;
            case DataScalar s:
                throw ctx.Error(s, $"'{s.Text}' is not a number");
            default:
                throw ctx.Error(node, "is not a number");
        }
    }

    public static bool? Bool(this DataMap map, string key, ParseContext ctx) => Bool(map.Get(key), ctx);

    public static bool? Bool(DataNode? node, ParseContext ctx)
    {
        switch (node)
        {
            case null or DataScalar { Kind: ScalarKind.Null }:
                return null;
            case DataScalar s when s.Text is { } t:
                var v = t.Trim();
                if (v.Equals("true", StringComparison.OrdinalIgnoreCase) || v == "1") return true;
                if (v.Equals("false", StringComparison.OrdinalIgnoreCase) || v == "0") return false;
                throw ctx.Error(s, $"'{t}' is not true/false");
            default:
                throw ctx.Error(node, "is not true/false");
        }
    }

    /// <summary>The items of a list, a single value as a one-item list, nothing for null/absent.</summary>
    public static IReadOnlyList<DataNode> Many(DataNode? node) => node switch
    {
        null or DataScalar { Kind: ScalarKind.Null } => [],
        DataList l => l.Items,
        _ => [node],
    };

    public static IReadOnlyList<string> Strings(this DataMap map, string key) =>
        Many(map.Get(key)).Select(Str).OfType<string>().ToList();
}
