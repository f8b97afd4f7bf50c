using Twin.Events.Common;
using Twin.Grains.Contracts;

namespace Twin.Grains.Persistence;

/// <summary>A stream as loaded for a grain: its latest snapshot (if any) and the events after it.</summary>
public sealed record LoadedStream<TSnapshot, TEvent>(TSnapshot? Snapshot, IReadOnlyList<TEvent> EventsAfter, long Version)
    where TSnapshot : class, ISnapshot;

/// <summary>The grains' port to the event store. Marten is the only adapter: grain tests run on a real PostgreSQL.
/// Each aggregate's read model (its snapshot) is written by its grain in the same transaction as its events, so it is
/// never behind them and costs one statement, not a read-modify-write of an inline projection.</summary>
public interface IEventStore
{
    /// <summary>Loads stream <paramref name="key"/>: its read-model snapshot and any events after it.</summary>
    Task<LoadedStream<TSnapshot, TEvent>> LoadAsync<TSnapshot, TEvent>(string key, CancellationToken ct = default)
        where TSnapshot : class, ISnapshot where TEvent : class;

    /// <summary>Appends <paramref name="events"/> to stream <paramref name="key"/> if it is still at
    /// <paramref name="expectedVersion"/>, and stores <paramref name="snapshotAfter"/> (the state after them, as the
    /// single writer computed it) in the same transaction; returns the version after. Throws
    /// <see cref="StreamVersionConflict"/> when another writer appended first.</summary>
    Task<long> AppendAsync<TEvent, TSnapshot>(string key, long expectedVersion, IReadOnlyList<TEvent> events, TSnapshot snapshotAfter,
        CommandContext context, CancellationToken ct = default)
        where TEvent : class where TSnapshot : class, ISnapshot;
}

/// <summary>Someone else wrote to the stream since this writer loaded it.</summary>
public sealed class StreamVersionConflict(string key, long expectedVersion, Exception? inner = null)
    : Exception($"stream '{key}' is no longer at version {expectedVersion}: another writer appended first; reload and retry", inner)
{
    public string Key { get; } = key;
    public long ExpectedVersion { get; } = expectedVersion;
}
