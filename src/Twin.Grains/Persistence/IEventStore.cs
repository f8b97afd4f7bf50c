using Twin.Events.Common;
using Twin.Grains.Contracts;

namespace Twin.Grains.Persistence;

/// <summary>A stream as loaded for a grain: its latest snapshot (if any) and the events after it.</summary>
public sealed record LoadedStream<TSnapshot, TEvent>(TSnapshot? Snapshot, IReadOnlyList<TEvent> EventsAfter, long Version)
    where TSnapshot : class, ISnapshot;

/// <summary>The grains' port to the event store. Marten is the only adapter: grain tests run on a real PostgreSQL.</summary>
public interface IEventStore
{
    /// <summary>Loads stream <paramref name="key"/>: its read-model snapshot and any events after it.</summary>
    Task<LoadedStream<TSnapshot, TEvent>> LoadAsync<TSnapshot, TEvent>(string key, CancellationToken ct = default)
        where TSnapshot : class, ISnapshot where TEvent : class;

    /// <summary>Appends <paramref name="events"/> to stream <paramref name="key"/> if it is still at
    /// <paramref name="expectedVersion"/>; returns the version after. Throws <see cref="StreamVersionConflict"/> otherwise.</summary>
    Task<long> AppendAsync<TEvent>(string key, long expectedVersion, IReadOnlyList<TEvent> events, CommandContext context, CancellationToken ct = default)
        where TEvent : class;
}

/// <summary>Someone else wrote to the stream since this writer loaded it.</summary>
public sealed class StreamVersionConflict(string key, long expectedVersion, Exception? inner = null)
    : Exception($"stream '{key}' is no longer at version {expectedVersion}: another writer appended first; reload and retry", inner)
{
    public string Key { get; } = key;
    public long ExpectedVersion { get; } = expectedVersion;
}
