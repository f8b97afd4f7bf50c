using System.Text;
using System.Text.Json;
using Twin.Host.Api;

namespace Twin.Host.Cli;

/// <summary>The output formats: aligned tables for people, JSON (the API's own answer) and CSV for pipelines.</summary>
public enum OutputFormat
{
    Table,
    Json,
    Csv,
}

/// <summary>A column: its header and, for tables on a terminal, the colour of a cell given its text.</summary>
internal sealed record Column(string Header, Func<string, string?>? Colour = null);

/// <summary>Writes results in the chosen <see cref="OutputFormat"/>.</summary>
internal sealed class Output(CliConsole console, OutputFormat format)
{
    public OutputFormat Format { get; } = format;

    /// <summary>The server's JSON, indented (for <c>-o json</c>).</summary>
    public void Json(JsonElement json) => console.Line(JsonSerializer.Serialize(json, TwinJson.Indented));

    /// <summary>Rows as an aligned table (with an optional title line) or CSV (the title is not written).</summary>
    public void Table(IReadOnlyList<Column> columns, IEnumerable<IReadOnlyList<string?>> rows, string? title = null)
    {
        var data = rows.Select(r => r.Select(c => c ?? "").ToArray()).ToList();
        if (Format == OutputFormat.Csv)
        {
            console.Line(string.Join(",", columns.Select(c => Csv(c.Header))));
            foreach (var row in data) console.Line(string.Join(",", row.Select(Csv)));
            return;
        }
        if (title is not null) console.Line(console.Paint(Ansi.Bold, title));
        var widths = columns.Select((c, i) => Math.Max(c.Header.Length, data.Count == 0 ? 0 : data.Max(r => r[i].Length))).ToArray();
        console.Line(console.Paint(Ansi.Dim, string.Join("  ", columns.Select((c, i) => c.Header.PadRight(widths[i]))).TrimEnd()));
        foreach (var row in data)
        {
            var line = new StringBuilder();
            for (var i = 0; i < row.Length; i++)
            {
                if (i > 0) line.Append("  ");
                var cell = i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i]);
                line.Append(console.Paint(columns[i].Colour?.Invoke(row[i]), cell));
            }
            console.Line(line.ToString().TrimEnd());
        }
        if (data.Count == 0) console.Line(console.Paint(Ansi.Dim, "(none)"));
    }

    /// <summary>One record as "field value" lines (table) or a header and one row (CSV).</summary>
    public void Record(IReadOnlyList<(string Field, string? Value)> fields, Func<string, string, string?>? colour = null)
    {
        if (Format == OutputFormat.Csv)
        {
            console.Line(string.Join(",", fields.Select(f => Csv(f.Field))));
            console.Line(string.Join(",", fields.Select(f => Csv(f.Value ?? ""))));
            return;
        }
        var width = fields.Max(f => f.Field.Length);
        foreach (var (field, value) in fields)
            console.Line($"{console.Paint(Ansi.Dim, field.PadRight(width))}  {console.Paint(colour?.Invoke(field, value ?? ""), value ?? "")}");
    }

    private static string Csv(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
}
