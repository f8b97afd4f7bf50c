using Twin.Simulation.Engine;

namespace Twin.Simulation.Workloads;

/// <summary>Options for <see cref="BitbrainsTrace"/>.</summary>
public sealed record BitbrainsTraceOptions : TraceReadOptions
{
    /// <summary>The Unix time (s) that becomes <see cref="SimTime.Zero"/>; null: the file's first timestamp.</summary>
    public long? OriginUnixSeconds { get; init; }

    /// <summary>
    /// False (default): timestamps are Unix seconds. GWA-T-12's header says "Timestamp [ms]", but the values are
    /// seconds (e.g. 1376314846 = 2013-08-12, spaced 300 apart); set true only for a file really in milliseconds.
    /// </summary>
    public bool TimestampsInMilliseconds { get; init; }

    /// <summary>The sampling interval in seconds (300); the last sample holds this long.</summary>
    public long IntervalSeconds { get; init; } = 300;

    /// <summary>Samples further apart than this (seconds) leave a gap instead of holding the earlier value.</summary>
    public long MaxGapSeconds { get; init; } = 3600;

    /// <summary>The series to produce (default: CPU %, network received and transmitted KB/s).</summary>
    public IReadOnlyList<UtilizationMetric> Metrics { get; init; } =
        [UtilizationMetric.CpuPercent, UtilizationMetric.NetworkReceivedKBps, UtilizationMetric.NetworkTransmittedKBps];
}

/// <summary>
/// Streams one Bitbrains GWA-T-12 VM file (fastStorage/Rnd layout: ";\t"-separated with a header row: timestamp, CPU
/// cores, capacity MHz, usage MHz, usage %, memory KB, disk and network KB/s) as piecewise-constant segments.
/// </summary>
public static class BitbrainsTrace
{
    private static readonly (UtilizationMetric Metric, string Header)[] s_columns =
    [
        (UtilizationMetric.CpuPercent, "CPU usage [%]"),
        (UtilizationMetric.CpuUsageMHz, "CPU usage [MHZ]"),
        (UtilizationMetric.NetworkReceivedKBps, "Network received throughput [KB/s]"),
        (UtilizationMetric.NetworkTransmittedKBps, "Network transmitted throughput [KB/s]"),
    ];

    /// <param name="reader">The file's text, opened by the caller.</param>
    /// <param name="sourceName">Names the source in problems (e.g. the file name).</param>
    /// <param name="vmId">The series id; in GWA-T-12 the file name (e.g. "1" for 1.csv) identifies the VM.</param>
    /// <param name="options">Time origin, sampling interval, gaps and the series to produce.</param>
    public static TraceRows<UtilizationSegment> ReadSegments(TextReader reader, string sourceName, string vmId, BitbrainsTraceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= new BitbrainsTraceOptions();
        foreach (var metric in options.Metrics)
        {
            if (!s_columns.Any(c => c.Metric == metric))
            {
                throw new ArgumentException($"Bitbrains files have no {metric} series.", nameof(options));
            }
        }

        return new(sourceName, options, statistics => Read(new RowReader(reader, statistics, options), vmId, options));
    }

    private static IEnumerable<UtilizationSegment> Read(RowReader rows, string vmId, BitbrainsTraceOptions options)
    {
        rows.Statistics.Format = "Bitbrains GWA-T-12 per-VM CSV (';\\t'-separated, header row)";
        int[]? columnOf = null;
        var names = options.Metrics.Select(m => s_columns.First(c => c.Metric == m).Header).ToArray();
        var fieldCount = 0;
        var timestampColumn = 0;
        var builders = options.Metrics
            .Select(m => new SegmentBuilder(vmId, m, SimDuration.FromSeconds(options.MaxGapSeconds), SimDuration.FromSeconds(options.IntervalSeconds)))
            .ToArray();
        long? origin = options.OriginUnixSeconds;
        var previous = SimTime.MinValue;
        var closed = new List<UtilizationSegment>(builders.Length);
        while (rows.NextLine())
        {
            if (rows.Line.Trim().Length == 0)
            {
                continue;
            }

            if (columnOf is null)
            {
                var header = rows.Line.Split(';', StringSplitOptions.TrimEntries);
                fieldCount = header.Length;
                timestampColumn = FindColumn(rows, header, "Timestamp");
                columnOf = [.. names.Select(name => FindColumn(rows, header, name))];
                continue;
            }

            closed.Clear();
            if (TryParse(rows, fieldCount, timestampColumn, columnOf, names, builders, options, ref origin, ref previous, closed))
            {
                foreach (var segment in closed)
                {
                    yield return segment;
                }
            }
        }

        foreach (var builder in builders)
        {
            if (builder.Finish() is { } last)
            {
                yield return last;
            }
        }
    }

    private static int FindColumn(RowReader rows, string[] header, string name)
    {
        var index = Array.FindIndex(header, h => h.StartsWith(name, StringComparison.OrdinalIgnoreCase));
        return index >= 0 ? index : throw rows.Bad("header", rows.Line, $"has no '{name}' column");
    }

    private static bool TryParse(
        RowReader rows,
        int fieldCount,
        int timestampColumn,
        int[] columnOf,
        string[] names,
        SegmentBuilder[] builders,
        BitbrainsTraceOptions options,
        ref long? origin,
        ref SimTime previous,
        List<UtilizationSegment> closed)
    {
        try
        {
            Span<Range> ranges = stackalloc Range[fieldCount];
            rows.Split(';', ranges, trim: true);
            var line = rows.Line.AsSpan();
            var stamp = rows.WholeNumber(line[ranges[timestampColumn]], "Timestamp");
            var seconds = options.TimestampsInMilliseconds ? stamp / 1000 : stamp;
            origin ??= seconds;
            var at = SimTime.FromSeconds(seconds - origin.Value);
            if (at <= previous)
            {
                throw rows.Bad("Timestamp", line[ranges[timestampColumn]], "is not after the previous sample");
            }

            Span<double> values = stackalloc double[builders.Length];
            for (var i = 0; i < builders.Length; i++)
            {
                values[i] = rows.Double(line[ranges[columnOf[i]]], names[i]);
            }

            previous = at;
            for (var i = 0; i < builders.Length; i++)
            {
                if (builders[i].Add(at, values[i]) is { } segment)
                {
                    closed.Add(segment);
                }
            }

            rows.Statistics.RowsRead++;
            return true;
        }
        catch (TraceFormatException exception) when (rows.Skip(exception))
        {
            return false;
        }
    }
}
