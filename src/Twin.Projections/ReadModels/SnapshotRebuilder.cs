using Marten;
using Twin.Events.Common;

namespace Twin.Projections.ReadModels;

/// <summary>
/// Rebuilds the per-aggregate read models (snapshot documents) from scratch: every stream is folded again with its
/// aggregate's own decider and the snapshot stored, replacing whatever was there. The grains keep these documents up
/// to date as they append; this is for recovery, migrations and the rebuild benchmark.
/// </summary>
public static class SnapshotRebuilder
{
    /// <summary>Refolds every stream; returns how many events and streams were read.</summary>
    public static async Task<(long Events, int Streams)> RebuildAllAsync(IDocumentStore store, CancellationToken ct = default)
    {
        await using var query = store.QuerySession();
        var keys = await query.Events.QueryAllRawEvents().Select(e => e.StreamKey!).Distinct().ToListAsync(ct);
        return await RebuildAsync(store, keys, ct);
    }

    /// <summary>Refolds the streams <paramref name="keys"/> (e.g. those a bulk append touched); returns how many events
    /// and streams were read.</summary>
    public static async Task<(long Events, int Streams)> RebuildAsync(IDocumentStore store, IReadOnlyCollection<string> keys, CancellationToken ct = default)
    {
        long events = 0;
        var streams = 0;
        await using var query = store.QuerySession();
        foreach (var batch in keys.Chunk(200))
        {
            await using var session = store.LightweightSession();
            foreach (var key in batch)
            {
                var stream = await query.Events.FetchStreamAsync(key, token: ct);
                if (stream.Count == 0) continue;
                events += stream.Count;
                streams++;
                var version = stream[^1].Version;
                var data = stream.Select(e => e.Data).ToList();
                switch (data[0])
                {
                    case Events.Hosts.HostEvent: session.Store(Fold(Aggregates.Host, data, version)); break;
                    case Events.Chipsets.ChipsetEvent: session.Store(Fold(Aggregates.Chipset, data, version)); break;
                    case Events.Nics.NicEvent: session.Store(Fold(Aggregates.Nic, data, version)); break;
                    case Events.Switches.SwitchEvent: session.Store(Fold(Aggregates.Switch, data, version)); break;
                    case Events.Vms.VmEvent: session.Store(Fold(Aggregates.Vm, data, version)); break;
                }
            }
            await session.SaveChangesAsync(ct);
        }
        return (events, streams);
    }

    private static TSnapshot Fold<TCommand, TEvent, TState, TSnapshot>(AggregateType<TCommand, TEvent, TState, TSnapshot> type, IEnumerable<object> events, long version)
        where TEvent : class where TSnapshot : class, ISnapshot =>
        type.ToSnapshot(type.Decider.Fold(events.OfType<TEvent>()), version);
}
