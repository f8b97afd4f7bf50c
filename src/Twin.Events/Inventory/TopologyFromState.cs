using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Switches;
using Twin.Events.Vms;

namespace Twin.Events.Inventory;

/// <summary>The datacenter a set of snapshots describes, as a <see cref="Topology"/> (the live twin now, or at a past
/// moment), so a what-if or a simulation can start from it.</summary>
public static class TopologyFromState
{
    public static Topology Build(IEnumerable<HostSnapshot> hosts, IEnumerable<ChipsetSnapshot> chipsets, IEnumerable<NicSnapshot> nics,
        IEnumerable<SwitchSnapshot> switches, IEnumerable<VmSnapshot> vms)
    {
        var chips = chipsets.Where(c => c.Registered).ToDictionary(c => c.Host);
        return new Topology(
            hosts.Where(h => h.Status != HostStatus.Absent).OrderBy(h => h.Id, StringComparer.Ordinal)
                .Select(h => new HostSpec(new HostId(h.Id), h.Platform, h.Os, h.Cores, h.MemoryMiB, h.Cluster,
                    chips.TryGetValue(new HostId(h.Id), out var c) ? c.Capabilities : null, chips.TryGetValue(new HostId(h.Id), out var d) ? d.Description : null,
                    h.InterruptVectorBudget > 0 ? h.InterruptVectorBudget : null)).ToValueList(),
            nics.Where(n => n.Status != NicStatus.Absent).OrderBy(n => n.Id, StringComparer.Ordinal)
                .Select(n => new NicSpec(new NicId(n.Id), n.Host, n.PciAddress, n.Model, n.Vendor, n.LinkMbps, n.NumaNode, n.Ceiling, n.SriovEnabled,
                    n.PoolSize, n.PendingVfs, n.PfDriverSupportsSriov, n.VPorts, n.QueuePairs)).ToValueList(),
            switches.Where(s => s.Status == SwitchStatus.Active).OrderBy(s => s.Id, StringComparer.Ordinal)
                .Select(s => new SwitchSpec(new SwitchId(s.Id), s.Host, s.Name, s.Kind, s.BoundNic, s.IovEnabled)).ToValueList(),
            vms.Where(v => v.Status is not (VmStatus.Absent or VmStatus.Deleted)).OrderBy(v => v.Id, StringComparer.Ordinal)
                .Select(v => new VmSpec(new VmId(v.Id), v.Host, v.Guest.Name, v.Vcpus, v.MemoryMiB, v.Status is VmStatus.Running or VmStatus.Migrating,
                    v.Vnics.Select(x => x.Spec).ToValueList(), v.Guest.HasVfDriver)).ToValueList(),
            nics.SelectMany(n => n.Slots.Where(s => s.ResourcePool is not null).GroupBy(s => s.ResourcePool!)
                .Select(g => new ResourcePoolSpec(new NicId(n.Id), g.Key, g.Select(s => s.Index).ToValueList()))).ToValueList(),
            nics.SelectMany(n => n.Holders.Select(s => new VfHolderSpec(new NicId(n.Id), s.Index, s.Holder!.Value.Vm, s.Holder.Value.Name))).ToValueList());
    }
}
