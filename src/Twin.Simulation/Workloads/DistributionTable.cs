using Twin.Simulation.Engine.Randomness;

namespace Twin.Simulation.Workloads;

/// <summary>One row of a <see cref="DistributionTable"/>: its key (first column) and numeric values, with its line number.</summary>
public sealed record DistributionRow(long Line, string Key, IReadOnlyList<double> Values);

/// <summary>
/// A small tab-separated table with a header, a key column and numeric columns, as in the Azure 2019 (V2) aggregates
/// (<c>lifetime.txt</c>, <c>cores.txt</c>, <c>memory.txt</c>, <c>category.txt</c>, <c>deployment.txt</c>,
/// <c>cpu.txt</c>). Values are as written (Azure: percent). Small enough to hold in memory.
/// </summary>
public sealed class DistributionTable
{
    private DistributionTable(string sourceName, IReadOnlyList<string> columns, IReadOnlyList<DistributionRow> rows, TraceReadStatistics statistics)
    {
        SourceName = sourceName;
        Columns = columns;
        Rows = rows;
        Statistics = statistics;
    }

    public string SourceName { get; }

    /// <summary>The header: the key column's name, then the value columns' names.</summary>
    public IReadOnlyList<string> Columns { get; }

    public IReadOnlyList<DistributionRow> Rows { get; }

    public TraceReadStatistics Statistics { get; }

    /// <summary>Reads the table; fields are separated by tabs and may carry spaces around them.</summary>
    public static DistributionTable Read(TextReader reader, string sourceName, TraceReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= new TraceReadOptions();
        var statistics = new TraceReadStatistics(sourceName, options.MaxProblemsKept) { Format = "tab-separated table with a header" };
        var rows = new RowReader(reader, statistics, options);
        string[]? columns = null;
        var parsed = new List<DistributionRow>();
        while (rows.NextLine())
        {
            if (rows.Line.Trim().Length == 0)
            {
                continue;
            }

            if (columns is null)
            {
                columns = rows.Line.Split('\t', StringSplitOptions.TrimEntries);
                if (columns.Length < 2)
                {
                    throw rows.BadRow("expected a tab-separated header with a key column and at least one value column");
                }

                continue;
            }

            if (TryParse(rows, columns, out var row))
            {
                parsed.Add(row);
            }
        }

        if (columns is null)
        {
            throw new TraceFormatException(new TraceProblem(sourceName, rows.LineNumber, "", "", "is empty: no header"));
        }

        statistics.RecordsProduced = parsed.Count;
        statistics.Completed = true;
        return new DistributionTable(sourceName, columns, parsed, statistics);
    }

    private static bool TryParse(RowReader rows, string[] columns, out DistributionRow row)
    {
        try
        {
            var fields = rows.Line.Split('\t');
            if (fields.Length != columns.Length)
            {
                throw rows.BadRow($"expected {columns.Length} tab-separated fields, found {fields.Length}");
            }

            var key = fields[0].Trim();
            if (key.Length == 0)
            {
                throw rows.Bad(columns[0], fields[0], "is empty");
            }

            var values = new double[fields.Length - 1];
            for (var i = 1; i < fields.Length; i++)
            {
                values[i - 1] = rows.Double(fields[i], columns[i]);
            }

            row = new DistributionRow(rows.LineNumber, key, values);
            rows.Statistics.RowsRead++;
            return true;
        }
        catch (TraceFormatException exception) when (rows.Skip(exception))
        {
            row = null!;
            return false;
        }
    }

    /// <summary>The index of a value column by name (case-insensitive); the key column is not a value column.</summary>
    public int ValueColumn(string name)
    {
        for (var i = 1; i < Columns.Count; i++)
        {
            if (Columns[i].Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return i - 1;
            }
        }

        throw new ArgumentException($"{SourceName} has no value column '{name}' (columns: {string.Join(", ", Columns)}).", nameof(name));
    }

    /// <summary>
    /// Reads the table as a CDF: numeric keys (the value, e.g. hours) against cumulative <paramref name="column"/>
    /// divided by <paramref name="scale"/> (100 for percent). See <see cref="EmpiricalDistribution.FromCdf"/> for the bounds.
    /// </summary>
    public EmpiricalDistribution ToEmpiricalCdf(int column = 0, double scale = 100, double? lowerBound = null, double? upperBound = null)
    {
        var points = Rows.Select(r => (NumericKey(r), Math.Clamp(r.Values[column] / scale, 0, 1)));
        return EmpiricalDistribution.FromCdf(points, lowerBound, upperBound);
    }

    /// <summary>Reads the table as weights per key (e.g. percent per category); the weights need not sum to 100.</summary>
    public WeightedChoice<string> ToWeightedChoice(int column = 0) => new(Rows.Select(r => (r.Key, r.Values[column])));

    /// <summary>Reads the table as weights per numeric key (e.g. percent of VMs per core count).</summary>
    public WeightedChoice<double> ToNumericWeightedChoice(int column = 0) => new(Rows.Select(r => (NumericKey(r), r.Values[column])));

    /// <summary>
    /// Reads a CDF over integer keys (e.g. deployment size) as a discrete distribution; the probability left above the
    /// last key is spread evenly over the sizes after it up to <paramref name="maxKey"/>.
    /// </summary>
    public WeightedChoice<int> ToDiscreteCdf(int maxKey, int column = 0, double scale = 100)
    {
        var choices = new List<(int, double)>();
        var previous = 0.0;
        var lastKey = 0;
        foreach (var row in Rows)
        {
            var key = (int)NumericKey(row);
            var cumulative = Math.Clamp(row.Values[column] / scale, 0, 1);
            choices.Add((key, Math.Max(0, cumulative - previous)));
            previous = Math.Max(previous, cumulative);
            lastKey = key;
        }

        if (previous < 1 && maxKey > lastKey)
        {
            var each = (1 - previous) / (maxKey - lastKey);
            for (var key = lastKey + 1; key <= maxKey; key++)
            {
                choices.Add((key, each));
            }
        }

        return new WeightedChoice<int>(choices);
    }

    private double NumericKey(DistributionRow row) =>
        double.TryParse(row.Key, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new TraceFormatException(new TraceProblem(SourceName, row.Line, Columns[0], row.Key, "is not a number"));
}
