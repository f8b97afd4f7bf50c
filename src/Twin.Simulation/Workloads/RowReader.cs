using System.Globalization;

namespace Twin.Simulation.Workloads;

/// <summary>Reads lines with their 1-based numbers and parses fields, raising problems that name the line and field.</summary>
internal sealed class RowReader(TextReader reader, TraceReadStatistics statistics, TraceReadOptions options, bool ownsReader = false)
    : IDisposable
{
    public string Line { get; private set; } = "";

    public long LineNumber { get; private set; }

    public TraceReadStatistics Statistics => statistics;

    public void Dispose()
    {
        if (ownsReader)
        {
            reader.Dispose();
        }
    }

    public static ReadOnlySpan<char> Field(ReadOnlySpan<char> line, ReadOnlySpan<Range> ranges, int index) =>
        index < 0 ? [] : line[ranges[index]];

    public bool NextLine()
    {
        var line = reader.ReadLine();
        if (line is null)
        {
            return false;
        }

        Line = line;
        LineNumber++;
        statistics.LinesRead++;
        return true;
    }

    /// <summary>Exception filter: records the problem and returns true when bad rows are skipped; false lets it throw.</summary>
    public bool Skip(TraceFormatException exception)
    {
        if (!options.SkipBadRows || exception.Problem.Line != LineNumber)
        {
            return false;
        }

        statistics.AddProblem(exception.Problem);
        return true;
    }

    public TraceFormatException Bad(string field, ReadOnlySpan<char> value, string reason) =>
        new(new TraceProblem(statistics.SourceName, LineNumber, field, value.ToString(), reason));

    public TraceFormatException BadRow(string reason) => new(new TraceProblem(statistics.SourceName, LineNumber, "", "", reason));

    /// <summary>Splits the current line into exactly <paramref name="ranges"/>.Length fields, or throws naming the count found.</summary>
    public void Split(char separator, Span<Range> ranges, bool trim = false)
    {
        // one spare range catches "too many fields" instead of silently folding them into the last one
        Span<Range> found = stackalloc Range[ranges.Length + 1];
        var count = Line.AsSpan().Split(found, separator, trim ? StringSplitOptions.TrimEntries : StringSplitOptions.None);
        if (count != ranges.Length)
        {
            throw BadRow($"expected {ranges.Length} fields separated by '{Printable(separator)}', found {count}{(count > ranges.Length ? " or more" : "")}");
        }

        found[..count].CopyTo(ranges);
    }

    public double Double(ReadOnlySpan<char> text, string field)
    {
        var trimmed = text.Trim();
        if (!double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw Bad(field, text, "is not a number");
        }

        return value;
    }

    public double? OptionalDouble(ReadOnlySpan<char> text, string field) => text.Trim().IsEmpty ? null : Double(text, field);

    public long Long(ReadOnlySpan<char> text, string field)
    {
        if (!long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw Bad(field, text, "is not an integer");
        }

        return value;
    }

    /// <summary>An integral number that may be written with a fraction of zero (e.g. "2591700.0").</summary>
    public long WholeNumber(ReadOnlySpan<char> text, string field)
    {
        if (long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        var number = Double(text, field);
        if (number != Math.Floor(number) || Math.Abs(number) > 9e15)
        {
            throw Bad(field, text, "is not a whole number");
        }

        return (long)number;
    }

    private static string Printable(char c) => c switch
    {
        '\t' => "\\t",
        _ => c.ToString(),
    };
}
