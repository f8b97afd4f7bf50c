using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Twin.Host.Import;

/// <summary>Reads YAML (every document of a stream) into <see cref="DataNode"/>s with positions, using YamlDotNet's
/// representation model.</summary>
internal static partial class YamlText
{
    [GeneratedRegex(@"^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$")]
    private static partial Regex NumberPattern();

    /// <summary>Markdown code fences (<c>```yaml</c>) are dropped first, keeping line numbers: captures are often
    /// pasted from documentation.</summary>
    public static IReadOnlyList<DataNode> Parse(string text, ParseContext ctx)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
            if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal)) lines[i] = "";
        CheckNesting(lines, ctx);
        try
        {
            return Load(lines, ctx);
        }
        catch (YamlException e)
        {
            // Excerpts cut from documentation often lose the first line's indentation ("- Vfs:" at column 0 while its
            // block continues at column 4); re-indenting that one line is the only repair tried.
            if (RepairFirstLine(lines) is { } repaired)
            {
                try
                {
                    var docs = Load(repaired.Lines, ctx);
                    ctx.Info(repaired.Line, $"the first line's indentation was repaired (re-indented by {repaired.By.ToString(CultureInfo.InvariantCulture)}) to read this excerpt");
                    return docs;
                }
                catch (YamlException)
                {
                    // fall through to report the original error
                }
            }
            throw ctx.Error((int)e.Start.Line, (int)e.Start.Column, "YAML", e.InnerException?.Message ?? e.Message);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // found by fuzzing: on some malformed input YamlDotNet throws these instead of a YamlException (its scanner
            // InvalidOperationException, its loader ArgumentException 'unsupported event type')
            throw ctx.Error(null, null, "YAML", "is not valid YAML (the parser stopped on a malformed value)");
        }
    }

    /// <summary>Deepest flow nesting (<c>[</c>, <c>{</c>) and widest indentation read: YamlDotNet's parser and
    /// <see cref="Convert"/> recurse once per level, and real captures stay far below these.</summary>
    internal const int MaxFlowDepth = 128;

    /// <summary>See <see cref="MaxFlowDepth"/>.</summary>
    internal const int MaxIndent = 512;

    /// <summary>Most nodes one file may expand to: aliases make a small file name the same large node many times
    /// ("billion laughs"), and each use is converted.</summary>
    internal const int MaxNodes = 1_000_000;

    private static void CheckNesting(string[] lines, ParseContext ctx)
    {
        if (NestingProblem(lines) is { } p) throw ctx.Error(p.Line, p.Column, "YAML", p.Problem);
    }

    /// <summary>Where <paramref name="lines"/> go deeper than <see cref="MaxFlowDepth"/> or <see cref="MaxIndent"/>
    /// (null: they do not); checked before YamlDotNet sees the text, since its parser recurses once per level and a
    /// stack overflow cannot be caught. Every YAML reader of Twin uses it.</summary>
    internal static (int Line, int? Column, string Problem)? NestingProblem(IReadOnlyList<string> lines)
    {
        var depth = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var indent = line.Length - line.TrimStart(' ').Length;
            if (indent > MaxIndent) return (i + 1, indent + 1, $"is indented more than {MaxIndent} columns");
            foreach (var c in line)
            {
                if (c == '#') break;
                if (c is '[' or '{' && ++depth > MaxFlowDepth) return (i + 1, null, $"is nested more than {MaxFlowDepth} levels deep");
                if (c is ']' or '}' && depth > 0) depth--;
            }
        }
        return null;
    }

    private static List<DataNode> Load(string[] lines, ParseContext ctx)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(string.Join('\n', lines)));
        var budget = new NodeBudget(ctx);
        return stream.Documents.Select(d => Convert(d.RootNode, "", budget)).ToList();
    }

    private sealed class NodeBudget(ParseContext ctx)
    {
        private int _left = MaxNodes;

        public void Take(YamlNode at)
        {
            if (--_left < 0) throw ctx.Error((int)at.Start.Line, (int)at.Start.Column, "YAML", $"expands to more than {MaxNodes} nodes (aliases used over and over?)");
        }
    }

    private static (string[] Lines, int Line, int By)? RepairFirstLine(string[] lines)
    {
        var first = Array.FindIndex(lines, l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#'));
        if (first < 0 || !lines[first].StartsWith("- ", StringComparison.Ordinal)) return null;
        var next = Array.FindIndex(lines, first + 1, l => l.Trim().Length > 0);
        if (next < 0) return null;
        var indent = lines[next].Length - lines[next].TrimStart().Length;
        if (indent < 4) return null;
        var by = indent - 2;
        var copy = (string[])lines.Clone();
        copy[first] = new string(' ', by) + copy[first];
        return (copy, first + 1, by);
    }

    private static DataNode Convert(YamlNode node, string path, NodeBudget budget)
    {
        budget.Take(node);
        int line = (int)node.Start.Line, col = (int)node.Start.Column;
        switch (node)
        {
            case YamlMappingNode m:
                var entries = new List<KeyValuePair<string, DataNode>>();
                foreach (var (k, v) in m.Children)
                {
                    var key = (k as YamlScalarNode)?.Value ?? k.ToString();
                    entries.Add(new(key, Convert(v, path.Length == 0 ? key : $"{path}.{key}", budget)));
                }
                return new DataMap(line, col, path, entries);
            case YamlSequenceNode s:
                return new DataList(line, col, path, s.Children.Select((c, i) => Convert(c, $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]", budget)).ToList());
            case YamlScalarNode sc:
                return new DataScalar(line, col, path, sc.Value, Classify(sc));
            default:
                return new DataScalar(line, col, path, null, ScalarKind.Null);
        }
    }

    private static ScalarKind Classify(YamlScalarNode s)
    {
        if (s.Style != ScalarStyle.Plain) return ScalarKind.String;
        var v = s.Value ?? "";
        if (v is "" or "~" or "null" or "Null" or "NULL") return ScalarKind.Null;
        if (v is "true" or "True" or "TRUE" or "false" or "False" or "FALSE") return ScalarKind.Bool;
        return NumberPattern().IsMatch(v) ? ScalarKind.Number : ScalarKind.String;
    }
}
