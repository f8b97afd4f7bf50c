using Marten;
using Twin.Projections.ReadModels;

namespace Twin.Projections.History;

/// <summary>
/// Reads the event log and the history index (windows and checkpoints) in bulk, and rebuilds the datacenter's state
/// from them: the checkpoints of the last window entirely at or before the cut, then the raw events after it.
/// </summary>
public static class HistoryReader
{
    /// <summary>The events with <paramref name="fromExclusive"/> &lt; sequence ≤ <paramref name="toInclusive"/>, in log
    /// order, streamed (never all in memory at once).</summary>
    public static IAsyncEnumerable<HistoryEvent> ReadAsync(IQuerySession session, long fromExclusive, long toInclusive, CancellationToken ct = default)
    {
        var query = session.Events.QueryAllRawEvents()
            .Where(e => e.Sequence > fromExclusive && e.Sequence <= toInclusive)
            .OrderBy(e => e.Sequence);
        return Map(QueryableExtensions.ToAsyncEnumerable(query, ct), ct);

        static async IAsyncEnumerable<HistoryEvent> Map(IAsyncEnumerable<JasperFx.Events.IEvent> events,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            await foreach (var e in events.WithCancellation(ct)) yield return HistoryEvent.From(e);
        }
    }

    /// <summary>Every event of one stream (version order), with its metadata.</summary>
    public static async Task<IReadOnlyList<HistoryEvent>> StreamAsync(IQuerySession session, string stream, CancellationToken ct = default) =>
        [.. (await session.Events.FetchStreamAsync(stream, token: ct)).Select(HistoryEvent.From)];

    /// <summary>The first and last event of the log (null when it is empty).</summary>
    public static async Task<(HistoryEvent? First, HistoryEvent? Last)> BoundsAsync(IQuerySession session, CancellationToken ct = default)
    {
        var first = await session.Events.QueryAllRawEvents().OrderBy(e => e.Sequence).Take(1).ToListAsync(ct);
        var last = await session.Events.QueryAllRawEvents().OrderByDescending(e => e.Sequence).Take(1).ToListAsync(ct);
        return (first.Count == 0 ? null : HistoryEvent.From(first[0]), last.Count == 0 ? null : HistoryEvent.From(last[0]));
    }

    /// <summary>The closed windows, in order.</summary>
    public static async Task<IReadOnlyList<HistoryWindow>> WindowsAsync(IQuerySession session, CancellationToken ct = default) =>
        await session.Query<HistoryWindow>().OrderBy(w => w.Id).ToListAsync(ct);

    /// <summary>The latest checkpoint of every stream and pool as of the end of window <paramref name="window"/>, read
    /// from the last full window at or before it on (see <see cref="HistoryOptions.FullCheckpointEvery"/>).</summary>
    public static async Task<IReadOnlyList<HistoryCheckpoint>> CheckpointsAsync(IQuerySession session, IReadOnlyList<HistoryWindow> windows, long window,
        CancellationToken ct = default)
    {
        var from = windows.LastOrDefault(w => w.Full && w.Id <= window)?.Id ?? 0;
        var mapping = (Marten.Schema.DocumentMapping)session.DocumentStore.Options.FindOrResolveDocumentType(typeof(HistoryCheckpoint));
        var key = mapping.DuplicatedFields.Single(f => f.MemberName == nameof(HistoryCheckpoint.Key)).ColumnName;
        var number = mapping.DuplicatedFields.Single(f => f.MemberName == nameof(HistoryCheckpoint.WindowNumber)).ColumnName;
        return await session.QueryAsync<HistoryCheckpoint>(
            $"select distinct on ({key}) data from {mapping.TableName.QualifiedName} where {number} <= ? and {number} >= ? order by {key}, {number} desc",
            ct, window, from);
    }

    /// <summary>
    /// The datacenter as it was at <paramref name="until"/> (domain time, inclusive), or — with no cut — as of the end
    /// of the log (or just before sequence <paramref name="beforeSequence"/>). Starts from the last window whose events
    /// (and every earlier one's) all happened at or before the cut, then folds the raw events after it, skipping windows
    /// whose events all happened later.
    /// </summary>
    public static async Task<DatacenterState> StateAsync(IQuerySession session, DateTimeOffset? until = null, long? beforeSequence = null,
        Action<HistoryEvent, bool>? observe = null, CancellationToken ct = default)
    {
        var limit = beforeSequence is { } b ? b - 1 : long.MaxValue;
        var (windows, baseWindow, checkpoints) = await BaseAsync(session, until, limit, ct);
        var state = Restore(checkpoints, baseWindow);
        foreach (var (from, to) in Ranges(windows, baseWindow, until, limit))
            await foreach (var e in ReadAsync(session, from, to, ct))
            {
                var applied = state.Apply(e, until);
                observe?.Invoke(e, applied);
            }
        return state;
    }

    /// <summary>
    /// The datacenter at <paramref name="from"/> (a fork), the events that came into effect after it up to
    /// <paramref name="to"/> (in log order), and the datacenter at <paramref name="to"/> — one pass over the log.
    /// </summary>
    public static async Task<(DatacenterState Fork, IReadOnlyList<HistoryEvent> After, DatacenterState End)> ForkAsync(IQuerySession session,
        DateTimeOffset from, DateTimeOffset to, CancellationToken ct = default)
    {
        var (windows, baseWindow, checkpoints) = await BaseAsync(session, from, long.MaxValue, ct);
        var fork = Restore(checkpoints, baseWindow);
        var end = Restore(checkpoints, baseWindow);
        var after = new List<HistoryEvent>();
        foreach (var (lo, hi) in Ranges(windows, baseWindow, to, long.MaxValue))
            await foreach (var e in ReadAsync(session, lo, hi, ct))
            {
                var inFork = fork.Apply(e, from);
                if (end.Apply(e, to) && !inFork) after.Add(e);
            }
        return (fork, after, end);
    }

    /// <summary>The windows, the last one entirely at or before <paramref name="cut"/> (and before
    /// <paramref name="limit"/>), and the checkpoints as of its end.</summary>
    private static async Task<(IReadOnlyList<HistoryWindow> Windows, HistoryWindow? Base, IReadOnlyList<HistoryCheckpoint> Checkpoints)> BaseAsync(
        IQuerySession session, DateTimeOffset? cut, long limit, CancellationToken ct)
    {
        var windows = await WindowsAsync(session, ct);
        HistoryWindow? baseWindow = null;
        var runningMax = DateTimeOffset.MinValue;
        foreach (var w in windows)
        {
            if (w.ToSequence > limit) break;
            if (w.MaxAt > runningMax) runningMax = w.MaxAt;
            if (cut is { } c && runningMax > c) break;
            baseWindow = w;
        }
        return (windows, baseWindow, baseWindow is null ? [] : await CheckpointsAsync(session, windows, baseWindow.Id, ct));
    }

    private static DatacenterState Restore(IReadOnlyList<HistoryCheckpoint> checkpoints, HistoryWindow? baseWindow)
    {
        var state = new DatacenterState();
        foreach (var c in checkpoints) c.RestoreInto(state);
        if (baseWindow is not null) state.AdvanceTo(baseWindow.ToSequence);
        return state;
    }

    /// <summary>The log ranges still to read after the base: later windows that can hold an event at or before the
    /// cut (a window whose events all happened later is skipped: later events of its streams are then cut by the
    /// version gap), and the open tail.</summary>
    private static List<(long From, long To)> Ranges(IReadOnlyList<HistoryWindow> windows, HistoryWindow? baseWindow, DateTimeOffset? cut, long limit)
    {
        var ranges = new List<(long From, long To)>();
        var position = baseWindow?.ToSequence ?? 0;
        foreach (var w in windows.Where(w => w.Id > (baseWindow?.Id ?? 0) && w.FromSequence < limit))
        {
            if (cut is { } c && w.MinAt > c)
            {
                position = w.ToSequence;
                continue;
            }
            Add(ranges, Math.Max(position, w.FromSequence), Math.Min(w.ToSequence, limit));
            position = w.ToSequence;
        }
        Add(ranges, position, limit);
        return ranges;

        static void Add(List<(long From, long To)> ranges, long from, long to)
        {
            if (to <= from) return;
            if (ranges.Count > 0 && ranges[^1].To == from) ranges[^1] = (ranges[^1].From, to);
            else ranges.Add((from, to));
        }
    }

    /// <summary>The pool usage read models of a state, one per installed PF, by id.</summary>
    public static IReadOnlyList<VfPoolUsage> Pools(DatacenterState state) =>
        [.. state.Snapshots<Twin.Events.Nics.NicSnapshot>().Where(n => n.Status != Twin.Events.Nics.NicStatus.Absent)
            .OrderBy(n => n.Id, StringComparer.Ordinal).Select(n => VfPoolUsage.Of(n, state.Demand(n.Id)))];
}
