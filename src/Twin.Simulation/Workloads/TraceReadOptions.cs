namespace Twin.Simulation.Workloads;

/// <summary>How a trace reader treats rows it cannot parse.</summary>
public record TraceReadOptions
{
    /// <summary>
    /// False (default): the first bad row throws a <see cref="TraceFormatException"/> naming source, line and field.
    /// True: bad rows are skipped and counted in <see cref="TraceReadStatistics"/>.
    /// </summary>
    public bool SkipBadRows { get; init; }

    /// <summary>How many skipped-row problems the statistics keep verbatim (the count is always exact).</summary>
    public int MaxProblemsKept { get; init; } = 10;
}
