using System.Globalization;
using Twin.Simulation.WhatIf;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Twin.Host.WhatIf;

/// <summary>
/// Reads a scenario file (YAML, or JSON, which YAML's flow style reads too) into the pure <see cref="ScenarioNode"/>
/// tree with 1-based positions, then binds it with <see cref="ScenarioReader"/>. Syntax errors and binding errors are
/// both <see cref="ScenarioException"/>s naming the file, line, column and field.
/// </summary>
public static class ScenarioYaml
{
    /// <summary>Parses and binds <paramref name="text"/>; <paramref name="source"/> names it in errors.</summary>
    public static WhatIfScenario Read(string text, string source) => ScenarioReader.Read(Parse(text, source), source);

    /// <summary>The document's tree (exactly one document).</summary>
    public static ScenarioNode Parse(string text, string source)
    {
        if (Import.YamlText.NestingProblem(text.Split('\n')) is { } deep)
            throw new ScenarioException(source, deep.Line, deep.Column ?? 1, "", "not valid here: the file " + deep.Problem);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new ScenarioException(source, (int)e.Start.Line, (int)e.Start.Column, "", "not valid YAML/JSON: " + (e.InnerException?.Message ?? e.Message));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet fails this way, without a position, on some unclosed flow collections (scanner) and some
            // malformed documents (loader: 'unsupported event type', found by fuzzing)
            var lines = text.TrimEnd().Split('\n').Length;
            throw new ScenarioException(source, lines, 1, "", "not valid YAML/JSON: the parser stopped without saying where; is a { or [ never closed, or a value malformed?");
        }
        return stream.Documents.Count switch
        {
            0 => throw new ScenarioException(source, 1, 1, "", "the file is empty"),
            1 => Convert(stream.Documents[0].RootNode, "", source, new int[] { MaxNodes }),
            _ => throw new ScenarioException(source, (int)stream.Documents[1].RootNode.Start.Line, 1, "", "one scenario per file: a second YAML document (---) starts here"),
        };
    }

    /// <summary>Most nodes a scenario may expand to: an anchor named over and over makes a small file convert the same
    /// large node many times ("billion laughs").</summary>
    internal const int MaxNodes = 1_000_000;

    private static ScenarioNode Convert(YamlNode node, string path, string source, int[] budget)
    {
        int line = (int)node.Start.Line, column = (int)node.Start.Column;
        if (--budget[0] < 0) throw new ScenarioException(source, line, column, path, $"the file expands to more than {MaxNodes} values (an anchor used over and over?)");
        switch (node)
        {
            case YamlMappingNode m:
                var entries = new List<KeyValuePair<string, ScenarioNode>>();
                foreach (var (k, v) in m.Children)
                {
                    if (k is not YamlScalarNode { Value: { } key })
                        throw new ScenarioException(source, (int)k.Start.Line, (int)k.Start.Column, path, "a key must be a plain name");
                    if (entries.Any(e => e.Key == key))
                        throw new ScenarioException(source, (int)k.Start.Line, (int)k.Start.Column, Join(path, key), $"'{key}' is given twice");
                    entries.Add(new(key, Convert(v, Join(path, key), source, budget)));
                }
                return new ScenarioMap(line, column, path, entries);
            case YamlSequenceNode s:
                return new ScenarioList(line, column, path, [.. s.Children.Select((c, i) => Convert(c, $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]", source, budget))]);
            case YamlScalarNode sc:
                return new ScenarioScalar(line, column, path, sc.Value, sc.Style is not (ScalarStyle.Plain or ScalarStyle.Any));
            default:
                throw new ScenarioException(source, line, column, path, "aliases and tags are not supported in scenarios");
        }
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}
