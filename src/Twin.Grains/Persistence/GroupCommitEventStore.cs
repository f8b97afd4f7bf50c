using System.Threading.Channels;
using Marten;
using Microsoft.Extensions.Logging;
using Twin.Events.Common;
using Twin.Grains.Contracts;

namespace Twin.Grains.Persistence;

/// <summary>
/// The Marten event store with group commit: appends from many grains that arrive while a transaction is being
/// written are committed together in the next one (one round trip and one fsync for the lot), each stream still at its
/// own expected version, each event with its own operation id, causation and actor. If the batch fails on a version
/// conflict, its appends are committed one by one so only the conflicting grain hears about it; a grain's call
/// completes only after its own events are committed, so nothing acknowledged is lost.
/// </summary>
public sealed class GroupCommitEventStore : IEventStore, IAsyncDisposable
{
    private const int MaxBatch = 256;

    private readonly IDocumentStore _store;
    private readonly ILogger<GroupCommitEventStore> _log;
    private readonly MartenEventStore _reads;
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public GroupCommitEventStore(IDocumentStore store, ILogger<GroupCommitEventStore> log)
    {
        _store = store;
        _log = log;
        _reads = new MartenEventStore(store);
        _writer = Task.Run(WriteLoop);
    }

    public Task<LoadedStream<TSnapshot, TEvent>> LoadAsync<TSnapshot, TEvent>(string key, CancellationToken ct = default)
        where TSnapshot : class, ISnapshot where TEvent : class => _reads.LoadAsync<TSnapshot, TEvent>(key, ct);

    public Task<long> AppendAsync<TEvent, TSnapshot>(string key, long expectedVersion, IReadOnlyList<TEvent> events, TSnapshot snapshotAfter,
        CommandContext context, CancellationToken ct = default)
        where TEvent : class where TSnapshot : class, ISnapshot
    {
        if (events.Count == 0) return Task.FromResult(expectedVersion);
        var pending = new Pending(key, expectedVersion, [.. events.Cast<object>()], s => s.Store(snapshotAfter), context, typeof(TEvent));
        if (!_queue.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(GroupCommitEventStore));
        return pending.Done.Task;
    }

    private async Task WriteLoop()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var p)) batch.Add(p);
            if (batch.Count == 0) continue;
            try
            {
                await Commit(batch);
                foreach (var p in batch) p.Succeed();
            }
            catch (Exception ex) when (batch.Count > 1 && MartenEventStore.IsConflict(ex))
            {
                // one stream moved under its grain: commit the others alone so only that grain gets the conflict
                _log.LogDebug("group commit of {Count} appends hit a version conflict; committing them one by one", batch.Count);
                foreach (var p in batch)
                {
                    try
                    {
                        await Commit([p]);
                        p.Succeed();
                    }
                    catch (Exception one)
                    {
                        p.Fail(one);
                    }
                }
            }
            catch (Exception ex)
            {
                foreach (var p in batch) p.Fail(ex);
            }
        }
    }

    private async Task Commit(IReadOnlyList<Pending> batch)
    {
        await using var session = _store.LightweightSession();
        foreach (var p in batch)
        {
            var action = p.ExpectedVersion == 0
                ? session.Events.StartStream(p.Key, p.Events)
                : session.Events.Append(p.Key, p.ExpectedVersion + p.Events.Length, p.Events);
            foreach (var e in action.Events)
            {
                e.CorrelationId = p.Context.Operation.Value;
                e.CausationId = p.Context.Causation.IsNone ? null : p.Context.Causation.Value;
                e.UserName = p.Context.Actor;
            }
            p.StoreSnapshot(session);
        }
        await session.SaveChangesAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer;
    }

    private sealed class Pending(string key, long expectedVersion, object[] events, Action<IDocumentSession> storeSnapshot, CommandContext context, Type eventBase)
    {
        public string Key { get; } = key;
        public long ExpectedVersion { get; } = expectedVersion;
        public object[] Events { get; } = events;
        public Action<IDocumentSession> StoreSnapshot { get; } = storeSnapshot;
        public CommandContext Context { get; } = context;
        public TaskCompletionSource<long> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Succeed()
        {
            EventStoreMetrics.Appended(eventBase, Events.Length);
            Done.TrySetResult(ExpectedVersion + Events.Length);
        }

        public void Fail(Exception ex) =>
            Done.TrySetException(MartenEventStore.IsConflict(ex) ? new StreamVersionConflict(Key, ExpectedVersion, ex) : ex);
    }
}
