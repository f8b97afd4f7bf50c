using Microsoft.Extensions.Logging;
using Twin.Events.Common;
using Twin.Events.Sagas;
using Twin.Grains.Contracts;
using Twin.Grains.Persistence;

namespace Twin.Grains.Common;

/// <summary>
/// A thin single-writer cache in front of one Marten stream. It loads its stream once on activation (the inline
/// snapshot plus any later events), then for each command: decide → append at the expected version → evolve. A
/// version conflict (someone wrote behind its back) reloads the stream and decides again; if that keeps failing the
/// grain deactivates and the caller gets the conflict — an event is never silently lost. Non-reentrant: commands to
/// one aggregate are serialized.
/// </summary>
internal abstract class AggregateGrain<TCommand, TEvent, TState, TSnapshot>(
    IEventStore store, AggregateType<TCommand, TEvent, TState, TSnapshot> type, ILogger logger) : Grain
    where TEvent : class where TSnapshot : class, ISnapshot
{
    private const int MaxConflictRetries = 3;

    protected TState State { get; private set; } = type.Decider.Initial();
    protected long Version { get; private set; }
    protected string StreamKey => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Reload(cancellationToken);
        }
        catch (Exception e) when (StorageErrors.Translate(e) is var translated && !ReferenceEquals(translated, e))
        {
            // an activation that cannot read its stream fails its caller; the caller must be able to receive why
            throw translated;
        }
        await base.OnActivateAsync(cancellationToken);
    }

    private async Task Reload(CancellationToken ct = default)
    {
        var loaded = await store.LoadAsync<TSnapshot, TEvent>(StreamKey, ct);
        var state = loaded.Snapshot is null ? type.Decider.Initial() : type.FromSnapshot(loaded.Snapshot);
        foreach (var e in loaded.EventsAfter) state = type.Decider.Evolve(state, e);
        (State, Version) = (state, loaded.Version);
    }

    /// <summary>Decides, appends and evolves one command (shared by the grain interface and the grain's own sagas).</summary>
    protected async Task<CommandResult<TEvent, TSnapshot>> Run(TCommand command, CommandContext context)
    {
        for (var attempt = 1; ; attempt++)
        {
            var events = type.Decider.Decide(command, State);
            if (events.Length == 0) return new(events, type.ToSnapshot(State, Version));
            // the state after, computed on a copy so a failed append leaves this grain's state untouched
            var after = type.FromSnapshot(type.ToSnapshot(State, Version));
            foreach (var e in events) after = type.Decider.Evolve(after, e);
            var snapshot = type.ToSnapshot(after, Version + events.Length);
            try
            {
                Version = await store.AppendAsync(StreamKey, Version, events, snapshot, context);
            }
            catch (StreamVersionConflict conflict) when (attempt < MaxConflictRetries)
            {
                logger.LogWarning("{Stream}: {Message}; reloading and deciding {Command} again (attempt {Attempt})",
                    StreamKey, conflict.Message, typeof(TCommand).Name, attempt);
                await Reload();
                continue;
            }
            catch (StreamVersionConflict)
            {
                DeactivateOnIdle();
                throw;
            }
            State = after;
            return new(events, snapshot);
        }
    }

    public Task<CommandResult<TEvent, TSnapshot>> Execute(TCommand command, CommandContext context) => Run(command, context);

    public Task<TSnapshot?> GetSnapshot() => Task.FromResult(Version == 0 ? null : type.ToSnapshot(State, Version));
}
