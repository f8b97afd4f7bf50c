using Twin.Events.Common;

namespace Twin.Grains.Contracts;

/// <summary>Who asked for a command and as part of what: the operation id (stored as Marten's correlation id), the
/// operation that caused this one (causation id) and the actor (user or process). Stored with every event.</summary>
[GenerateSerializer, Immutable]
public sealed record CommandContext(
    OperationId Operation,
    string Actor,
    OperationId Causation = default);
