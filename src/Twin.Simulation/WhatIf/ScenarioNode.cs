using System.Globalization;

namespace Twin.Simulation.WhatIf;

/// <summary>
/// A parsed scenario document (YAML or JSON) as plain data with positions, so the pure reader can say which line and
/// field is wrong without knowing the parser. <see cref="Path"/> is the field's path from the root
/// (<c>variants[1].changes[0].setNumVfs.numVfs</c>); lines and columns are 1-based.
/// </summary>
public abstract class ScenarioNode(int line, int column, string path)
{
    public int Line { get; } = line;

    public int Column { get; } = column;

    public string Path { get; } = path;

    /// <summary>What the node is, for messages ("a map", "a list", "'abc'").</summary>
    public abstract string Describe();
}

/// <summary>A scalar: its text as written, and whether it was quoted (a quoted "12" is a string, a plain 12 a number).</summary>
public sealed class ScenarioScalar(int line, int column, string path, string? text, bool quoted) : ScenarioNode(line, column, path)
{
    public string? Text { get; } = text;

    public bool Quoted { get; } = quoted;

    /// <summary>A plain empty scalar, <c>~</c> or <c>null</c>.</summary>
    public bool IsNull => !Quoted && Text is null or "" or "~" or "null" or "Null" or "NULL";

    // a value pasted by mistake can be megabytes long: an error quotes its start only
    public override string Describe() =>
        IsNull ? "nothing (null)" : Text!.Length <= 80 ? $"'{Text}'" : $"'{Text[..77]}...' ({Text.Length.ToString(CultureInfo.InvariantCulture)} characters)";
}

/// <summary>A sequence.</summary>
public sealed class ScenarioList(int line, int column, string path, IReadOnlyList<ScenarioNode> items) : ScenarioNode(line, column, path)
{
    public IReadOnlyList<ScenarioNode> Items { get; } = items;

    public override string Describe() => "a list";
}

/// <summary>A mapping, keys in document order.</summary>
public sealed class ScenarioMap(int line, int column, string path, IReadOnlyList<KeyValuePair<string, ScenarioNode>> entries) : ScenarioNode(line, column, path)
{
    public IReadOnlyList<KeyValuePair<string, ScenarioNode>> Entries { get; } = entries;

    public ScenarioNode? Get(string key)
    {
        foreach (var e in Entries)
            if (e.Key == key) return e.Value;
        return null;
    }

    /// <summary>Whether <paramref name="key"/> is present with a non-null value.</summary>
    public bool Has(string key) => Get(key) is { } v && v is not ScenarioScalar { IsNull: true };

    public override string Describe() => "a map";

    /// <summary>Builds a map in code (tests, programmatic scenarios), with positions of line 0.</summary>
    public static ScenarioMap Of(string path, params (string Key, ScenarioNode Value)[] entries) =>
        new(0, 0, path, [.. entries.Select(e => new KeyValuePair<string, ScenarioNode>(e.Key, e.Value))]);
}

/// <summary>A scenario that cannot be used: the file, the 1-based line and column, the field and what is wrong. Nothing
/// was run or written.</summary>
public sealed class ScenarioException(string source, int line, int column, string? field, string problem)
    : Exception(Format(source, line, column, field, problem))
{
    public string SourceName { get; } = source;

    public int Line { get; } = line;

    public int Column { get; } = column;

    public string Field { get; } = field ?? "";

    public string Problem { get; } = problem;

    private static string Format(string source, int line, int column, string? field, string problem)
    {
        field ??= "";
        var where = line > 0 ? $"{source}:{line.ToString(CultureInfo.InvariantCulture)}:{column.ToString(CultureInfo.InvariantCulture)}" : source;
        return field.Length == 0 ? $"{where}: {problem}" : $"{where}: {field}: {problem}";
    }
}
