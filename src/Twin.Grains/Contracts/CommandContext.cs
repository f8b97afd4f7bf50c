using Twin.Events.Common;

namespace Twin.Grains.Contracts;

/// <summary>Who asked for a command and as part of what: the operation id (Marten correlation id), the operation that
/// caused this one (causation id) and the actor (user or process). Stored with every event.</summary>
[GenerateSerializer, Immutable]
public sealed record CommandContext(
    [property: Id(0)] OperationId Operation,
    [property: Id(1)] string Actor,
    [property: Id(2)] OperationId Causation = default)
{
    /// <summary>The same actor, for a step caused by this operation.</summary>
    public CommandContext Step(OperationId operation) => new(operation, Actor, Operation);
}

/// <summary>What a command did: the events appended (none for an idempotent retry) and the stream version after.</summary>
[GenerateSerializer, Immutable]
public sealed record CommandResult<TEvent>([property: Id(0)] TEvent[] Events, [property: Id(1)] long Version);
