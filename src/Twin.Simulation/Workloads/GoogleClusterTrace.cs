using Twin.Simulation.Engine;

namespace Twin.Simulation.Workloads;

/// <summary>Google ClusterData2011 machine event types.</summary>
public enum GoogleMachineEventType
{
    Add = 0,
    Remove = 1,
    Update = 2,
}

/// <summary>A machine joining, leaving or changing in the Google 2011 trace; capacities are normalised to the largest machine (1.0).</summary>
public sealed record GoogleMachineEvent(
    SimTime Time, long MachineId, GoogleMachineEventType Type, string? PlatformId, double? CpuCapacity, double? MemoryCapacity);

/// <summary>Options for <see cref="GoogleClusterTrace"/>.</summary>
public sealed record GoogleClusterTraceOptions : TraceReadOptions
{
    /// <summary>The trace timestamp (µs) that becomes <see cref="SimTime.Zero"/>. The full trace starts at 600 s (600,000,000 µs); 0 means "before the trace".</summary>
    public long OriginMicroseconds { get; init; }

    /// <summary>Cores of the largest machine: requests and usage are fractions of it. Default 1, i.e. keep them normalised.</summary>
    public double MachineCores { get; init; } = 1;

    /// <summary>GiB of memory of the largest machine. Default 1, i.e. keep requests normalised.</summary>
    public double MachineMemoryGiB { get; init; } = 1;
}

/// <summary>
/// Streams Google ClusterData2011 tables (comma-separated, no quotes; lines starting with '#' are comments or
/// headers): machine_events, task_events (as task-run lifecycles) and task_usage (as segments). Times are µs.
/// </summary>
public static class GoogleClusterTrace
{
    private const long EndOfTraceMarker = long.MaxValue;

    public static TraceRows<GoogleMachineEvent> ReadMachineEvents(TextReader reader, string sourceName, GoogleClusterTraceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= new GoogleClusterTraceOptions();
        return new(sourceName, options, statistics => MachineEvents(new RowReader(reader, statistics, options), options));
    }

    /// <summary>
    /// Turns task events into one <see cref="VmLifecycle"/> per run: a SCHEDULE (1) starts a run, EVICT (2), FAIL (3),
    /// FINISH (4), KILL (5) or LOST (6) ends it; a rescheduled task gets a new run ("job/task#2"). Pending-only tasks
    /// produce nothing. Runs are handed out when they end, then those still running at the end, by start time.
    /// </summary>
    public static TraceRows<VmLifecycle> ReadTaskLifecycles(TextReader reader, string sourceName, GoogleClusterTraceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= new GoogleClusterTraceOptions();
        return new(sourceName, options, statistics => TaskLifecycles(new RowReader(reader, statistics, options), options));
    }

    /// <summary>
    /// Each task_usage row is already an interval: it becomes one <see cref="UtilizationMetric.CpuUsageNormalized"/>
    /// segment (mean CPU usage rate) and one <see cref="UtilizationMetric.MemoryUsageNormalized"/> segment (canonical
    /// memory usage), both for series "job/task".
    /// </summary>
    public static TraceRows<UtilizationSegment> ReadTaskUsage(TextReader reader, string sourceName, GoogleClusterTraceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= new GoogleClusterTraceOptions();
        return new(sourceName, options, statistics => TaskUsage(new RowReader(reader, statistics, options), options));
    }

    private static bool IsData(RowReader rows) => rows.Line.Length > 0 && rows.Line[0] != '#';

    private static SimTime Time(RowReader rows, ReadOnlySpan<char> text, string field, GoogleClusterTraceOptions options)
    {
        var micros = rows.Long(text, field);
        return micros == EndOfTraceMarker ? SimTime.MaxValue : SimTime.FromMicroseconds(micros - options.OriginMicroseconds);
    }

    private static IEnumerable<GoogleMachineEvent> MachineEvents(RowReader rows, GoogleClusterTraceOptions options)
    {
        rows.Statistics.Format = "Google ClusterData2011 machine_events";
        while (rows.NextLine())
        {
            if (IsData(rows) && TryParseMachineEvent(rows, options, out var machineEvent))
            {
                yield return machineEvent;
            }
        }
    }

    private static bool TryParseMachineEvent(RowReader rows, GoogleClusterTraceOptions options, out GoogleMachineEvent machineEvent)
    {
        try
        {
            Span<Range> ranges = stackalloc Range[6];
            rows.Split(',', ranges);
            var line = rows.Line.AsSpan();
            var type = rows.Long(line[ranges[2]], "event type");
            if (type is < 0 or > 2)
            {
                throw rows.Bad("event type", line[ranges[2]], "is not 0 (ADD), 1 (REMOVE) or 2 (UPDATE)");
            }

            var platform = line[ranges[3]].Trim();
            machineEvent = new GoogleMachineEvent(
                Time(rows, line[ranges[0]], "timestamp", options),
                rows.Long(line[ranges[1]], "machine ID"),
                (GoogleMachineEventType)type,
                platform.IsEmpty ? null : platform.ToString(),
                rows.OptionalDouble(line[ranges[4]], "CPU capacity"),
                rows.OptionalDouble(line[ranges[5]], "memory capacity"));
            rows.Statistics.RowsRead++;
            return true;
        }
        catch (TraceFormatException exception) when (rows.Skip(exception))
        {
            machineEvent = null!;
            return false;
        }
    }

    private sealed class TaskRun
    {
        public required string Id { get; init; }

        public required SimTime Started { get; init; }

        public required double CpuRequest { get; init; }

        public required double MemoryRequest { get; init; }

        public required string Category { get; init; }

        public long Order { get; init; }
    }

    private static IEnumerable<VmLifecycle> TaskLifecycles(RowReader rows, GoogleClusterTraceOptions options)
    {
        rows.Statistics.Format = "Google ClusterData2011 task_events";
        var running = new Dictionary<(long Job, long Task), TaskRun>();
        var runsSoFar = new Dictionary<(long Job, long Task), int>();
        while (rows.NextLine())
        {
            if (IsData(rows) && TryParseTaskEvent(rows, options, running, runsSoFar, out var ended) && ended is not null)
            {
                yield return ended;
            }
        }

        foreach (var run in running.Values.OrderBy(r => r.Started).ThenBy(r => r.Order))
        {
            yield return Lifecycle(run, null, null, options);
        }
    }

    private static VmLifecycle Lifecycle(TaskRun run, SimTime? ended, string? reason, GoogleClusterTraceOptions options) =>
        new(run.Id, run.Started, ended, run.CpuRequest * options.MachineCores, run.MemoryRequest * options.MachineMemoryGiB, run.Category)
        {
            EndReason = reason,
        };

    private static bool TryParseTaskEvent(
        RowReader rows,
        GoogleClusterTraceOptions options,
        Dictionary<(long Job, long Task), TaskRun> running,
        Dictionary<(long Job, long Task), int> runsSoFar,
        out VmLifecycle? ended)
    {
        ended = null;
        try
        {
            Span<Range> ranges = stackalloc Range[13];
            rows.Split(',', ranges);
            var line = rows.Line.AsSpan();
            var time = Time(rows, line[ranges[0]], "timestamp", options);
            var key = (rows.Long(line[ranges[2]], "job ID"), rows.Long(line[ranges[3]], "task index"));
            var type = rows.Long(line[ranges[5]], "event type");
            switch (type)
            {
                case 1:
                    if (running.ContainsKey(key))
                    {
                        throw rows.Bad("event type", line[ranges[5]], $"schedules task {key.Item1}/{key.Item2}, which is already running");
                    }

                    var run = runsSoFar.GetValueOrDefault(key) + 1;
                    runsSoFar[key] = run;
                    running[key] = new TaskRun
                    {
                        Id = run == 1 ? $"{key.Item1}/{key.Item2}" : $"{key.Item1}/{key.Item2}#{run}",
                        Started = time,
                        CpuRequest = rows.OptionalDouble(line[ranges[9]], "CPU request") ?? 0,
                        MemoryRequest = rows.OptionalDouble(line[ranges[10]], "memory request") ?? 0,
                        Category = $"scheduling class {rows.Long(line[ranges[7]], "scheduling class")}",
                        Order = rows.LineNumber,
                    };
                    break;
                case >= 2 and <= 6:
                    if (running.Remove(key, out var finished))
                    {
                        ended = Lifecycle(finished, time, type switch { 2 => "evict", 3 => "fail", 4 => "finish", 5 => "kill", _ => "lost" }, options);
                    }

                    break;
                case 0 or 7 or 8:
                    break;
                default:
                    throw rows.Bad("event type", line[ranges[5]], "is not a task event type (0-8)");
            }

            rows.Statistics.RowsRead++;
            return true;
        }
        catch (TraceFormatException exception) when (rows.Skip(exception))
        {
            return false;
        }
    }

    private static IEnumerable<UtilizationSegment> TaskUsage(RowReader rows, GoogleClusterTraceOptions options)
    {
        rows.Statistics.Format = "Google ClusterData2011 task_usage";
        while (rows.NextLine())
        {
            if (IsData(rows) && TryParseUsage(rows, options, out var cpu, out var memory))
            {
                yield return cpu;
                yield return memory;
            }
        }
    }

    private static bool TryParseUsage(RowReader rows, GoogleClusterTraceOptions options, out UtilizationSegment cpu, out UtilizationSegment memory)
    {
        try
        {
            // 20 columns in the 2011_2 schema; older extracts stop after 12, so only the first 7 are required
            var fields = rows.Line.Split(',');
            if (fields.Length < 7)
            {
                throw rows.BadRow($"expected at least 7 comma-separated fields, found {fields.Length}");
            }

            var start = Time(rows, fields[0], "start time", options);
            var end = Time(rows, fields[1], "end time", options);
            if (end < start)
            {
                throw rows.Bad("end time", fields[1], "is before the start time");
            }

            var series = $"{rows.Long(fields[2], "job ID")}/{rows.Long(fields[3], "task index")}";
            cpu = new UtilizationSegment(series, UtilizationMetric.CpuUsageNormalized, start, end, rows.Double(fields[5], "mean CPU usage rate"));
            memory = new UtilizationSegment(series, UtilizationMetric.MemoryUsageNormalized, start, end, rows.Double(fields[6], "canonical memory usage"));
            rows.Statistics.RowsRead++;
            return true;
        }
        catch (TraceFormatException exception) when (rows.Skip(exception))
        {
            cpu = memory = default;
            return false;
        }
    }
}
