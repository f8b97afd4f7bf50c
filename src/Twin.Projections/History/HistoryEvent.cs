using System.Collections.Concurrent;
using System.Reflection;
using JasperFx.Events;
using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Planning;
using Twin.Events.Switches;
using Twin.Events.Vms;

namespace Twin.Projections.History;

/// <summary>
/// One recorded event as history sees it: its place in the log (<see cref="Sequence"/>), its stream (= entity id) and
/// version, its domain time <see cref="At"/> (the time axis of time travel), Marten's append timestamp, the domain
/// event itself, and who caused it: the operation id (Marten correlation id), the causing operation, the actor.
/// </summary>
public sealed record HistoryEvent(
    long Sequence,
    string Stream,
    long Version,
    DateTimeOffset At,
    DateTimeOffset Timestamp,
    object Data,
    string Operation,
    string? Causation,
    string? Actor)
{
    /// <summary>The event's type name, e.g. <c>VfAllocated</c>.</summary>
    public string Kind => Data.GetType().Name;

    /// <summary>The kind of entity the stream is ("host", "chipset", "nic", "switch", "vm"), "reservation" for a scenario's reserved capacity, or "" for foreign events.</summary>
    public string EntityKind => EventFacts.EntityKind(Data);

    /// <summary>Wraps a Marten event. The operation is Marten's correlation id, or the event's own <c>Op</c> when the
    /// appender set none.</summary>
    public static HistoryEvent From(IEvent e) => new(
        e.Sequence, e.StreamKey ?? e.StreamId.ToString(), e.Version, EventFacts.At(e.Data) ?? e.Timestamp, e.Timestamp, e.Data,
        string.IsNullOrEmpty(e.CorrelationId) ? EventFacts.Operation(e.Data).Value : e.CorrelationId,
        string.IsNullOrEmpty(e.CausationId) ? null : e.CausationId,
        string.IsNullOrEmpty(e.UserName) ? null : e.UserName);
}

/// <summary>What every Twin event says about itself, read without knowing its concrete type.</summary>
public static class EventFacts
{
    private static readonly ConcurrentDictionary<Type, PropertyInfo?> OpProperties = new();

    /// <summary>The domain time of a Twin event (null for a foreign object).</summary>
    public static DateTimeOffset? At(object data) => data switch
    {
        HostEvent e => e.At,
        ChipsetEvent e => e.At,
        NicEvent e => e.At,
        SwitchEvent e => e.At,
        VmEvent e => e.At,
        CapacityEvent e => e.At,
        _ => null,
    };

    /// <summary>"host", "chipset", "nic", "switch" or "vm" (the aggregate the event belongs to); "" otherwise.</summary>
    public static string EntityKind(object data) => data switch
    {
        HostEvent => Aggregates.Host.Name,
        ChipsetEvent => Aggregates.Chipset.Name,
        NicEvent => Aggregates.Nic.Name,
        SwitchEvent => Aggregates.Switch.Name,
        VmEvent => Aggregates.Vm.Name,
        CapacityEvent => "reservation",
        _ => "",
    };

    /// <summary>The event's own <c>Op</c> field (the operation it records a step of), or none. Note that a VF handed
    /// to a waiting vNIC carries the waiter's claim as its Op, while the operation that caused the append is the
    /// releasing one (Marten's correlation id).</summary>
    public static OperationId Operation(object data)
    {
        var property = OpProperties.GetOrAdd(data.GetType(), t => t.GetProperty("Op") is { PropertyType: var p } op && p == typeof(OperationId) ? op : null);
        return property?.GetValue(data) is OperationId op ? op : OperationId.None;
    }
}
