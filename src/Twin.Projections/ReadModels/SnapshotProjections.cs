using JasperFx.Events;
using Marten.Events.Aggregation;
using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Switches;
using Twin.Events.Vms;

namespace Twin.Projections.ReadModels;

/// <summary>
/// Per-aggregate read models: the aggregate's snapshot, kept in the same transaction as its events. Each projection
/// restores the domain state from the stored snapshot and applies the domain's own Evolve, so no rule is written twice.
/// </summary>
internal static class SnapshotEvolve
{
    public static TSnapshot? Apply<TCommand, TEvent, TState, TSnapshot>(
        AggregateType<TCommand, TEvent, TState, TSnapshot> type, TSnapshot? snapshot, IEvent e)
        where TEvent : class where TSnapshot : class, ISnapshot
    {
        if (e.Data is not TEvent domainEvent) return snapshot;
        var state = snapshot is null ? type.Decider.Initial() : type.FromSnapshot(snapshot);
        return type.ToSnapshot(type.Decider.Evolve(state, domainEvent), e.Version);
    }
}

/// <summary>Host read model (document id = host id).</summary>
public sealed partial class HostReadModelProjection : SingleStreamProjection<HostSnapshot, string>
{
    public override HostSnapshot? Evolve(HostSnapshot? snapshot, string id, IEvent e) => SnapshotEvolve.Apply(Aggregates.Host, snapshot, e);
}

/// <summary>Chipset read model (document id = chipset id).</summary>
public sealed partial class ChipsetReadModelProjection : SingleStreamProjection<ChipsetSnapshot, string>
{
    public override ChipsetSnapshot? Evolve(ChipsetSnapshot? snapshot, string id, IEvent e) => SnapshotEvolve.Apply(Aggregates.Chipset, snapshot, e);
}

/// <summary>NIC/VF-pool read model (document id = NIC id): the four counters, holders and waiters.</summary>
public sealed partial class NicReadModelProjection : SingleStreamProjection<NicSnapshot, string>
{
    public override NicSnapshot? Evolve(NicSnapshot? snapshot, string id, IEvent e) => SnapshotEvolve.Apply(Aggregates.Nic, snapshot, e);
}

/// <summary>Virtual switch read model (document id = switch id).</summary>
public sealed partial class SwitchReadModelProjection : SingleStreamProjection<SwitchSnapshot, string>
{
    public override SwitchSnapshot? Evolve(SwitchSnapshot? snapshot, string id, IEvent e) => SnapshotEvolve.Apply(Aggregates.Switch, snapshot, e);
}

/// <summary>VM read model (document id = VM id): status, host and each vNIC's datapath.</summary>
public sealed partial class VmReadModelProjection : SingleStreamProjection<VmSnapshot, string>
{
    public override VmSnapshot? Evolve(VmSnapshot? snapshot, string id, IEvent e) => SnapshotEvolve.Apply(Aggregates.Vm, snapshot, e);
}
