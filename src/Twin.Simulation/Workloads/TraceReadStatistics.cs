namespace Twin.Simulation.Workloads;

/// <summary>What a reader saw: lines and rows read, records produced, and bad rows (count and the first few problems).</summary>
public sealed class TraceReadStatistics(string sourceName, int maxProblemsKept)
{
    private readonly List<TraceProblem> _problems = [];

    public string SourceName { get; } = sourceName;

    /// <summary>The format the reader detected or was told, in words (e.g. "Azure V1 vmtable, 11 columns, no header").</summary>
    public string? Format { get; internal set; }

    /// <summary>Physical lines read, headers and comments included.</summary>
    public long LinesRead { get; internal set; }

    /// <summary>Data rows parsed successfully.</summary>
    public long RowsRead { get; internal set; }

    /// <summary>Records (lifecycles, segments, events) handed out so far.</summary>
    public long RecordsProduced { get; internal set; }

    /// <summary>Rows skipped because they could not be parsed (only with <see cref="TraceReadOptions.SkipBadRows"/>).</summary>
    public long BadRows { get; private set; }

    /// <summary>The first <c>MaxProblemsKept</c> problems.</summary>
    public IReadOnlyList<TraceProblem> Problems => _problems;

    /// <summary>Reader-specific remarks (e.g. data after the table was ignored).</summary>
    public List<string> Notes { get; } = [];

    /// <summary>True once the source has been read to its end.</summary>
    public bool Completed { get; internal set; }

    internal void AddProblem(TraceProblem problem)
    {
        BadRows++;
        if (_problems.Count < maxProblemsKept)
        {
            _problems.Add(problem);
        }
    }
}
