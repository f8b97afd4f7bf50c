using Marten;
using Marten.Services;
using Marten.Storage;

namespace Twin.Projections.History;

/// <summary>One event of an already-decided log: its stream, the version it takes there, the event, its operation.</summary>
public sealed record LoggedEvent(string Stream, long Version, object Event, string Operation, string? Actor = null);

/// <summary>
/// Appends an already-decided log (an in-memory twin's run, a simulation, a benchmark's history) to the event store in
/// bulk, keeping every stream's versions (Marten refuses the append if a stream moved meanwhile) and each event's
/// operation as its correlation id. Not a path for live commands: those go through the grains.
/// <para>
/// THIS IS IMPORTANT: within one session Marten numbers the events stream by stream, so a batch that interleaves
/// streams would come out of the log in another order than it went in. With <c>preserveOrder</c> (the default) a
/// batch is cut into runs in which each stream's events are adjacent, one session per run, all in one transaction:
/// the log keeps the exact cross-stream order (which cross-stream read models depend on: a failed power-on follows
/// the refusal behind it). Without it, each batch is one session: much faster, and per-stream order is all it keeps.
/// </para>
/// </summary>
public static class EventLogWriter
{
    /// <summary>Appends <paramref name="log"/> in transactions of about <paramref name="batchSize"/> events; returns the
    /// number of events appended. The grains' snapshot documents of the streams touched are then refolded (grains
    /// write them with their own appends; a bulk append bypasses the grains), unless <paramref name="refreshSnapshots"/>
    /// is false.</summary>
    public static async Task<long> AppendAsync(IDocumentStore store, IEnumerable<LoggedEvent> log, int batchSize = 5_000,
        bool preserveOrder = true, CancellationToken ct = default, bool refreshSnapshots = true)
    {
        long total = 0;
        var batch = new List<LoggedEvent>(batchSize);
        var touched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in log)
        {
            touched.Add(e.Stream);
            batch.Add(e);
            if (batch.Count < batchSize) continue;
            total += await FlushAsync(store, batch, preserveOrder, ct);
            batch.Clear();
        }
        if (batch.Count > 0) total += await FlushAsync(store, batch, preserveOrder, ct);
        if (refreshSnapshots && touched.Count > 0) await ReadModels.SnapshotRebuilder.RebuildAsync(store, touched, ct);
        return total;
    }

    private static async Task<int> FlushAsync(IDocumentStore store, List<LoggedEvent> batch, bool preserveOrder, CancellationToken ct)
    {
        if (!preserveOrder)
        {
            await using var session = store.LightweightSession();
            Append(session, batch);
            await session.SaveChangesAsync(ct);
            return batch.Count;
        }
        await using var connection = store.Storage.Database.CreateConnection(ConnectionUsage.ReadWrite);
        await connection.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        foreach (var run in Runs(batch))
        {
            await using var session = store.LightweightSession(SessionOptions.ForTransaction(tx, false));
            Append(session, run);
            await session.SaveChangesAsync(ct);
        }
        await tx.CommitAsync(ct);
        return batch.Count;
    }

    /// <summary>Cuts a batch where a stream comes back after another one: within a run each stream is adjacent.</summary>
    private static IEnumerable<List<LoggedEvent>> Runs(List<LoggedEvent> batch)
    {
        var run = new List<LoggedEvent>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in batch)
        {
            if (run.Count > 0 && run[^1].Stream != e.Stream && seen.Contains(e.Stream))
            {
                yield return run;
                run = [];
                seen.Clear();
            }
            run.Add(e);
            seen.Add(e.Stream);
        }
        if (run.Count > 0) yield return run;
    }

    private static void Append(IDocumentSession session, List<LoggedEvent> events)
    {
        foreach (var stream in events.GroupBy(e => e.Stream, StringComparer.Ordinal))
        {
            var ordered = stream.OrderBy(e => e.Version).ToList();
            var wrapped = ordered.Select(e =>
            {
                var ev = session.Events.BuildEvent(e.Event);
                ev.CorrelationId = e.Operation;
                if (e.Actor is not null) ev.UserName = e.Actor;
                return (object)ev;
            }).ToArray();
            if (ordered[0].Version == 1) session.Events.StartStream(stream.Key, wrapped);
            else session.Events.Append(stream.Key, ordered[^1].Version, wrapped);
        }
    }
}
