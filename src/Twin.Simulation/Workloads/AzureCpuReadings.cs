using Twin.Simulation.Engine;

namespace Twin.Simulation.Workloads;

/// <summary>Which 5-minute statistic of an Azure CPU reading becomes the segment value.</summary>
public enum AzureCpuStatistic
{
    Average,
    Maximum,
    Minimum,
}

/// <summary>Options for <see cref="AzureCpuReadings"/>.</summary>
public sealed record AzureCpuReadingsOptions : TraceReadOptions
{
    public AzureCpuStatistic Statistic { get; init; } = AzureCpuStatistic.Average;

    /// <summary>The reading interval in seconds (Azure: 300). A reading holds at most this long: a missing reading leaves a gap.</summary>
    public long IntervalSeconds { get; init; } = 300;
}

/// <summary>
/// Streams Azure <c>vm_cpu_readings</c> files (timestamp s, vmid, min, max, avg CPU %, no header) as per-VM
/// piecewise-constant <see cref="UtilizationMetric.CpuPercent"/> segments instead of one record per reading.
/// </summary>
/// <remarks>
/// The files are ordered by time, not by VM, so the reader keeps one open segment per VM seen (not the readings).
/// A segment is handed out when its value changes or its VM skips a reading; the rest when the input ends, in
/// (end, VM id) order. Readings of one VM must not go back in time.
/// </remarks>
public static class AzureCpuReadings
{
    public static TraceRows<UtilizationSegment> ReadSegments(TextReader reader, string sourceName, AzureCpuReadingsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return ReadSegments(reader, ownsReader: false, sourceName, options ?? new AzureCpuReadingsOptions());
    }

    /// <summary>Reads a plain or gzip-compressed stream; the stream is disposed when enumeration ends.</summary>
    public static TraceRows<UtilizationSegment> ReadSegments(Stream stream, string sourceName, AzureCpuReadingsOptions? options = null) =>
        ReadSegments(TraceInput.OpenText(stream), ownsReader: true, sourceName, options ?? new AzureCpuReadingsOptions());

    private static TraceRows<UtilizationSegment> ReadSegments(TextReader reader, bool ownsReader, string sourceName, AzureCpuReadingsOptions options)
    {
        if (options.IntervalSeconds <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "IntervalSeconds must be positive.");
        }

        return new(sourceName, options, statistics => Read(new RowReader(reader, statistics, options, ownsReader), options));
    }

    private static IEnumerable<UtilizationSegment> Read(RowReader rows, AzureCpuReadingsOptions options)
    {
        using var _ = rows;
        rows.Statistics.Format = $"Azure vm_cpu_readings (timestamp, vmid, min, max, avg), {options.Statistic} CPU %";
        var hold = SimDuration.FromSeconds(options.IntervalSeconds);
        var open = new Dictionary<string, SegmentBuilder>(StringComparer.Ordinal);
        while (rows.NextLine())
        {
            if (rows.Line.Length == 0)
            {
                continue;
            }

            if (TryParse(rows, options, open, hold, out var closed) && closed is { } segment)
            {
                yield return segment;
            }
        }

        var remaining = open.Values.Select(b => b.Finish()).OfType<UtilizationSegment>()
            .OrderBy(s => s.End).ThenBy(s => s.SeriesId, StringComparer.Ordinal);
        foreach (var segment in remaining)
        {
            yield return segment;
        }
    }

    private static bool TryParse(
        RowReader rows, AzureCpuReadingsOptions options, Dictionary<string, SegmentBuilder> open, SimDuration hold, out UtilizationSegment? closed)
    {
        try
        {
            Span<Range> ranges = stackalloc Range[5];
            rows.Split(',', ranges);
            var line = rows.Line.AsSpan();
            var seconds = rows.WholeNumber(line[ranges[0]], "timestamp");
            var vmId = line[ranges[1]].Trim();
            if (vmId.IsEmpty)
            {
                throw rows.Bad("vmid", vmId, "is empty");
            }

            var min = rows.Double(line[ranges[2]], "mincpu");
            var max = rows.Double(line[ranges[3]], "maxcpu");
            var avg = rows.Double(line[ranges[4]], "avgcpu");
            var value = options.Statistic switch
            {
                AzureCpuStatistic.Maximum => max,
                AzureCpuStatistic.Minimum => min,
                _ => avg,
            };

            var at = SimTime.FromSeconds(seconds);
            var lookup = open.GetAlternateLookup<ReadOnlySpan<char>>();
            if (!lookup.TryGetValue(vmId, out var builder))
            {
                var id = vmId.ToString();
                builder = new SegmentBuilder(id, UtilizationMetric.CpuPercent, hold);
                open.Add(id, builder);
            }
            else if (at <= builder.LastReading)
            {
                throw rows.Bad("timestamp", line[ranges[0]], $"is not after this VM's previous reading ({builder.LastReading.TotalSeconds} s)");
            }

            closed = builder.Add(at, value);
            rows.Statistics.RowsRead++;
            return true;
        }
        catch (TraceFormatException exception) when (rows.Skip(exception))
        {
            closed = null;
            return false;
        }
    }
}
