using JasperFx;
using Marten;
using Twin.Events.Common;
using Twin.Grains.Contracts;

namespace Twin.Grains.Persistence;

/// <summary>
/// The Marten adapter: the only place that knows Marten's append semantics. One short session per operation (never
/// held by a grain). New streams start with StartStream (a collision means another writer won); existing streams
/// append with an explicit expected version (Rich append mode), which Marten takes as the version AFTER the append.
/// </summary>
public sealed class MartenEventStore(IDocumentStore store) : IEventStore
{
    public async Task<LoadedStream<TSnapshot, TEvent>> LoadAsync<TSnapshot, TEvent>(string key, CancellationToken ct = default)
        where TSnapshot : class, ISnapshot where TEvent : class
    {
        await using var session = store.QuerySession();
        var snapshot = await session.LoadAsync<TSnapshot>(key, ct);
        var snapshotVersion = snapshot?.Version ?? 0;
        // the grain writes its snapshot in the same transaction as its events, so normally nothing follows it;
        // events appended by anything that bypassed the grain are folded on top
        var after = await session.Events.FetchStreamAsync(key, fromVersion: snapshotVersion + 1, token: ct);
        var events = after.Select(e => e.Data).OfType<TEvent>().ToList();
        var version = after.Count > 0 ? after[^1].Version : snapshotVersion;
        return new LoadedStream<TSnapshot, TEvent>(snapshot, events, version);
    }

    public async Task<long> AppendAsync<TEvent, TSnapshot>(string key, long expectedVersion, IReadOnlyList<TEvent> events, TSnapshot snapshotAfter,
        CommandContext context, CancellationToken ct = default)
        where TEvent : class where TSnapshot : class, ISnapshot
    {
        if (events.Count == 0) return expectedVersion;
        await using var session = store.LightweightSession();
        session.CorrelationId = context.Operation.Value;
        session.CausationId = context.Causation.IsNone ? null : context.Causation.Value;
        session.LastModifiedBy = context.Actor;
        var data = events.Cast<object>().ToArray();
        if (expectedVersion == 0) session.Events.StartStream(key, data);
        else session.Events.Append(key, expectedVersion + data.Length, data);
        session.Store(snapshotAfter);
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (Exception ex) when (IsConflict(ex))
        {
            throw new StreamVersionConflict(key, expectedVersion, ex);
        }
        EventStoreMetrics.Appended(typeof(TEvent), data.Length);
        return expectedVersion + data.Length;
    }

    /// <summary>Every way Marten reports "another writer got there first" (ExistingStreamIdCollisionException is not a
    /// ConcurrencyException).</summary>
    internal static bool IsConflict(Exception ex) => ex switch
    {
        ConcurrencyException => true,
        JasperFx.Events.ExistingStreamIdCollisionException => true,
        Marten.Exceptions.ExistingStreamIdCollisionException => true,
        AggregateException ae => ae.InnerExceptions.Any(IsConflict),
        _ => ex.InnerException is not null && IsConflict(ex.InnerException),
    };
}
