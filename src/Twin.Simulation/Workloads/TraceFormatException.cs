namespace Twin.Simulation.Workloads;

/// <summary>A trace row that cannot be read; the message names the source, the 1-based line number and the field.</summary>
public sealed class TraceFormatException : FormatException
{
    public TraceFormatException(TraceProblem problem)
        : base(problem.ToString()) => Problem = problem;

    public TraceFormatException(TraceProblem problem, Exception inner)
        : base(problem.ToString(), inner) => Problem = problem;

    public TraceProblem Problem { get; }
}

/// <summary>One unreadable row: where it is (source name, 1-based line), which field, the text found and why it failed.</summary>
public sealed record TraceProblem(string Source, long Line, string Field, string Value, string Reason)
{
    public override string ToString() =>
        Field.Length == 0 ? $"{Source} line {Line}: {Reason}" : $"{Source} line {Line}, field {Field}: '{Value}' {Reason}";
}
