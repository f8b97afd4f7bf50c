using Twin.Simulation.Engine;

namespace Twin.Simulation.Workloads;

/// <summary>
/// Reads one PlanetLab/CoMon file (one VM, one day: 288 integer CPU % samples, one per line, 5 minutes apart) as
/// piecewise-constant <see cref="UtilizationMetric.CpuPercent"/> segments.
/// </summary>
public static class PlanetLabTrace
{
    public const int SamplesPerDay = 288;

    public static readonly SimDuration Interval = SimDuration.FromMinutes(5);

    /// <param name="reader">The file's text, opened by the caller.</param>
    /// <param name="sourceName">Names the source in problems (e.g. the file name).</param>
    /// <param name="vmId">The series id (CloudSim's copies name each file after the node and slice).</param>
    /// <param name="dayStart">The simulated time of the first sample.</param>
    /// <param name="options">Bad-row handling.</param>
    public static TraceRows<UtilizationSegment> ReadSegments(
        TextReader reader, string sourceName, string vmId, SimTime dayStart, TraceReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= new TraceReadOptions();
        return new(sourceName, options, statistics => Read(new RowReader(reader, statistics, options), vmId, dayStart));
    }

    private static IEnumerable<UtilizationSegment> Read(RowReader rows, string vmId, SimTime dayStart)
    {
        rows.Statistics.Format = "PlanetLab CoMon CPU %, one integer per line, 5-minute samples";
        var builder = new SegmentBuilder(vmId, UtilizationMetric.CpuPercent, Interval);
        var sample = 0L;
        while (rows.NextLine())
        {
            if (rows.Line.Trim().Length == 0)
            {
                continue;
            }

            // a bad line still occupies its 5-minute slot, so later samples keep their times
            var at = dayStart + (Interval * sample++);
            if (TryParse(rows, out var percent) && builder.Add(at, percent) is { } segment)
            {
                yield return segment;
            }
        }

        if (builder.Finish() is { } last)
        {
            yield return last;
        }

        if (sample != SamplesPerDay)
        {
            rows.Statistics.Notes.Add($"{sample} samples instead of {SamplesPerDay}");
        }
    }

    private static bool TryParse(RowReader rows, out double percent)
    {
        try
        {
            var value = rows.Long(rows.Line, "cpu");
            if (value is < 0 or > 100)
            {
                throw rows.Bad("cpu", rows.Line, "is not a percentage (0-100)");
            }

            percent = value;
            rows.Statistics.RowsRead++;
            return true;
        }
        catch (TraceFormatException exception) when (rows.Skip(exception))
        {
            percent = 0;
            return false;
        }
    }
}
