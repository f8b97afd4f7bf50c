using System.Collections;

namespace Twin.Simulation.Workloads;

/// <summary>
/// A lazily read, forward-only sequence of trace records with the reader's <see cref="Statistics"/>, which fill in as
/// the sequence is enumerated. It can be enumerated once, since the underlying reader is consumed.
/// </summary>
public sealed class TraceRows<T> : IEnumerable<T>
{
    private Func<TraceReadStatistics, IEnumerable<T>>? _produce;

    internal TraceRows(string sourceName, TraceReadOptions options, Func<TraceReadStatistics, IEnumerable<T>> produce)
    {
        Statistics = new TraceReadStatistics(sourceName, options.MaxProblemsKept);
        _produce = produce;
    }

    public TraceReadStatistics Statistics { get; }

    public IEnumerator<T> GetEnumerator()
    {
        var produce = Interlocked.Exchange(ref _produce, null)
            ?? throw new InvalidOperationException($"{Statistics.SourceName} has already been read: a trace can be enumerated only once.");
        return Count(produce(Statistics)).GetEnumerator();
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private IEnumerable<T> Count(IEnumerable<T> records)
    {
        foreach (var record in records)
        {
            Statistics.RecordsProduced++;
            yield return record;
        }

        Statistics.Completed = true;
    }
}
