using Twin.Events.Common;

namespace Twin.Projections.History;

/// <summary>One aggregate type seen without its generic parameters, so history can fold any stream with the domain's
/// own decider (<see cref="Aggregates"/>): never a copy of the rules.</summary>
public interface IAggregateKind
{
    /// <summary>"host", "chipset", "nic", "switch" or "vm".</summary>
    string Name { get; }

    /// <summary>Whether <paramref name="data"/> is an event of this aggregate.</summary>
    bool Owns(object data);

    /// <summary>A fresh state (the decider's Initial).</summary>
    object Initial();

    /// <summary>The decider's Evolve (may update <paramref name="state"/> in place and return it).</summary>
    object Evolve(object state, object @event);

    ISnapshot ToSnapshot(object state, long version);

    object FromSnapshot(ISnapshot snapshot);
}

/// <summary>The five aggregate kinds of the twin, as <see cref="IAggregateKind"/>.</summary>
public static class AggregateKinds
{
    public static readonly IAggregateKind Host = new Kind<Twin.Events.Hosts.HostCommand, Twin.Events.Hosts.HostEvent, Twin.Events.Hosts.Host, Twin.Events.Hosts.HostSnapshot>(Aggregates.Host);
    public static readonly IAggregateKind Chipset = new Kind<Twin.Events.Chipsets.ChipsetCommand, Twin.Events.Chipsets.ChipsetEvent, Twin.Events.Chipsets.Chipset, Twin.Events.Chipsets.ChipsetSnapshot>(Aggregates.Chipset);
    public static readonly IAggregateKind Nic = new Kind<Twin.Events.Nics.NicCommand, Twin.Events.Nics.NicEvent, Twin.Events.Nics.Nic, Twin.Events.Nics.NicSnapshot>(Aggregates.Nic);
    public static readonly IAggregateKind Switch = new Kind<Twin.Events.Switches.SwitchCommand, Twin.Events.Switches.SwitchEvent, Twin.Events.Switches.VirtualSwitch, Twin.Events.Switches.SwitchSnapshot>(Aggregates.Switch);
    public static readonly IAggregateKind Vm = new Kind<Twin.Events.Vms.VmCommand, Twin.Events.Vms.VmEvent, Twin.Events.Vms.Vm, Twin.Events.Vms.VmSnapshot>(Aggregates.Vm);

    public static readonly IReadOnlyList<IAggregateKind> All = [Host, Chipset, Nic, Switch, Vm];

    /// <summary>The kind whose events <paramref name="data"/> is one of, or null for a foreign event.</summary>
    public static IAggregateKind? Of(object data)
    {
        foreach (var k in All)
            if (k.Owns(data)) return k;
        return null;
    }

    /// <summary>The kind a snapshot images.</summary>
    public static IAggregateKind Of(ISnapshot snapshot) => snapshot switch
    {
        Twin.Events.Hosts.HostSnapshot => Host,
        Twin.Events.Chipsets.ChipsetSnapshot => Chipset,
        Twin.Events.Nics.NicSnapshot => Nic,
        Twin.Events.Switches.SwitchSnapshot => Switch,
        Twin.Events.Vms.VmSnapshot => Vm,
        _ => throw new ArgumentException($"not a twin snapshot: {snapshot.GetType().Name}", nameof(snapshot)),
    };

    /// <summary>The kind named <paramref name="name"/>, or null.</summary>
    public static IAggregateKind? Named(string name) =>
        All.FirstOrDefault(k => string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase));

    private sealed class Kind<TCommand, TEvent, TState, TSnapshot>(AggregateType<TCommand, TEvent, TState, TSnapshot> type) : IAggregateKind
        where TEvent : class where TSnapshot : class, ISnapshot
    {
        public string Name => type.Name;
        public bool Owns(object data) => data is TEvent;
        public object Initial() => type.Decider.Initial()!;
        public object Evolve(object state, object @event) => type.Decider.Evolve((TState)state, (TEvent)@event)!;
        public ISnapshot ToSnapshot(object state, long version) => type.ToSnapshot((TState)state, version);
        public object FromSnapshot(ISnapshot snapshot) => type.FromSnapshot((TSnapshot)snapshot)!;
    }
}
