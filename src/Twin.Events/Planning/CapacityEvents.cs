using Twin.Events.Common;

namespace Twin.Events.Planning;

/// <summary>VFs a committed what-if variant holds back on one PF.</summary>
[GenerateSerializer, Immutable]
public sealed record ReservedPf(string Nic, string Host, int Vfs);

/// <summary>
/// Facts about capacity that plans hold back: a what-if scenario's committed variant reserves VFs on PFs so that other
/// plans (and the pools view) count them as taken. One stream per scenario (<see cref="StreamKey"/>). These are not
/// an aggregate's events: time travel and the snapshot rebuilder skip them, the timeline shows them.
/// </summary>
[GenerateSerializer, Immutable]
public abstract record CapacityEvent
{
    /// <summary>The scenario that reserves.</summary>
    public abstract string Scenario { get; init; }

    /// <summary>When it happened.</summary>
    public abstract DateTimeOffset At { get; init; }

    /// <summary>The operation that committed or released it.</summary>
    public abstract OperationId Op { get; init; }

    /// <summary>The stream of a scenario's reservations.</summary>
    public static string StreamKey(string scenario) => "reservation:" + scenario;

    /// <summary>A variant was committed: its VFs are reserved (replacing what the scenario reserved before).</summary>
    [GenerateSerializer, Immutable]
    public sealed record CapacityReserved(string Scenario, string Variant, int Revision, ValueList<ReservedPf> Pfs, DateTimeOffset At, OperationId Op)
        : CapacityEvent;

    /// <summary>What the scenario reserved was given back.</summary>
    [GenerateSerializer, Immutable]
    public sealed record CapacityReleased(string Scenario, string Variant, int Vfs, DateTimeOffset At, OperationId Op) : CapacityEvent;

    /// <summary>Every event type, for the event store's registration.</summary>
    public static IReadOnlyList<Type> EventTypes { get; } = [typeof(CapacityReserved), typeof(CapacityReleased)];
}
