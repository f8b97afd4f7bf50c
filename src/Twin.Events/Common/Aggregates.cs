using Twin.Events.Chipsets;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Switches;
using Twin.Events.Vms;

namespace Twin.Events.Common;

/// <summary>Everything the infrastructure needs to know about one aggregate type: its decider and how its state
/// becomes an immutable snapshot and back. One aggregate = one decider = one grain type = one stream per id.</summary>
public sealed record AggregateType<TCommand, TEvent, TState, TSnapshot>(
    string Name,
    Decider<TCommand, TEvent, TState> Decider,
    Func<TState, long, TSnapshot> ToSnapshot,
    Func<TSnapshot, TState> FromSnapshot)
    where TEvent : class
    where TSnapshot : class, ISnapshot;

/// <summary>The five aggregates of the twin.</summary>
public static class Aggregates
{
    public static readonly AggregateType<HostCommand, HostEvent, Host, HostSnapshot> Host =
        new("host", HostDecider.Decider, (s, v) => s.ToSnapshot(v), Hosts.Host.FromSnapshot);

    public static readonly AggregateType<ChipsetCommand, ChipsetEvent, Chipset, ChipsetSnapshot> Chipset =
        new("chipset", ChipsetDecider.Decider, (s, v) => s.ToSnapshot(v), Chipsets.Chipset.FromSnapshot);

    public static readonly AggregateType<NicCommand, NicEvent, Nic, NicSnapshot> Nic =
        new("nic", NicDecider.Decider, (s, v) => s.ToSnapshot(v), Nics.Nic.FromSnapshot);

    public static readonly AggregateType<SwitchCommand, SwitchEvent, VirtualSwitch, SwitchSnapshot> Switch =
        new("switch", SwitchDecider.Decider, (s, v) => s.ToSnapshot(v), VirtualSwitch.FromSnapshot);

    public static readonly AggregateType<VmCommand, VmEvent, Vm, VmSnapshot> Vm =
        new("vm", VmDecider.Decider, (s, v) => s.ToSnapshot(v), Vms.Vm.FromSnapshot);

    /// <summary>Every concrete event type, for registering with an event store.</summary>
    public static IEnumerable<Type> EventTypes() =>
        new[] { typeof(HostEvent), typeof(ChipsetEvent), typeof(NicEvent), typeof(SwitchEvent), typeof(VmEvent) }
            .SelectMany(b => b.GetNestedTypes().Where(t => t.IsSealed && b.IsAssignableFrom(t)));
}

/// <summary>An aggregate snapshot: the stream it images (its id) and the stream version it was taken at.</summary>
public interface ISnapshot
{
    string Id { get; }
    long Version { get; }
}
