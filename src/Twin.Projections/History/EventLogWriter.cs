using Marten;

namespace Twin.Projections.History;

/// <summary>One event of an already-decided log: its stream, the version it takes there, the event, its operation.</summary>
public sealed record LoggedEvent(string Stream, long Version, object Event, string Operation, string? Actor = null);

/// <summary>
/// Appends an already-decided log (an in-memory twin's run, a simulation, a benchmark's history) to the event store in
/// bulk, keeping every stream's versions (so Marten refuses it if a stream moved meanwhile) and each event's operation
/// as its correlation id. Not a path for live commands: those go through the grains.
/// </summary>
public static class EventLogWriter
{
    /// <summary>Appends <paramref name="log"/> in batches of about <paramref name="batchSize"/> events, one transaction
    /// each; returns the number of events appended.</summary>
    public static async Task<long> AppendAsync(IDocumentStore store, IEnumerable<LoggedEvent> log, int batchSize = 5_000, CancellationToken ct = default)
    {
        long total = 0;
        var batch = new List<LoggedEvent>(batchSize);
        foreach (var e in log)
        {
            batch.Add(e);
            if (batch.Count < batchSize) continue;
            total += await FlushAsync(store, batch, ct);
            batch.Clear();
        }
        if (batch.Count > 0) total += await FlushAsync(store, batch, ct);
        return total;
    }

    private static async Task<int> FlushAsync(IDocumentStore store, List<LoggedEvent> batch, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        // one append per stream, in the order the streams first appear; versions are checked by Marten (Rich mode)
        foreach (var stream in batch.GroupBy(e => e.Stream, StringComparer.Ordinal))
        {
            var events = stream.OrderBy(e => e.Version).ToList();
            var wrapped = events.Select(e =>
            {
                var ev = session.Events.BuildEvent(e.Event);
                ev.CorrelationId = e.Operation;
                if (e.Actor is not null) ev.UserName = e.Actor;
                return (object)ev;
            }).ToArray();
            var last = events[^1].Version;
            if (events[0].Version == 1) session.Events.StartStream(stream.Key, wrapped);
            else session.Events.Append(stream.Key, last, wrapped);
        }
        await session.SaveChangesAsync(ct);
        return batch.Count;
    }
}
