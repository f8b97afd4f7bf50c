using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Switches;
using Twin.Events.Vms;

namespace Twin.Events.Inventory;

/// <summary>The commands that make the twin match a topology, in dependency order, and the VMs to start afterwards.
/// Every command is idempotent, so applying the same topology twice appends nothing, and a changed topology appends
/// only the difference (a changed VF configuration becomes an observation).</summary>
public sealed record TopologyCommands(IReadOnlyList<object> Commands, IReadOnlyList<VmId> VmsToStart);

public static class TopologyPlanner
{
    public static TopologyCommands Plan(Topology topology, OperationId op, DateTimeOffset at)
    {
        var commands = new List<object>();
        var platformOf = topology.Hosts.ToDictionary(h => h.Id, h => h.Platform);
        foreach (var h in topology.Hosts.OrderBy(h => h.Id.Value, StringComparer.Ordinal))
        {
            commands.Add(new HostCommand.RegisterHost(h.Id, h.Platform, h.Os, h.Cores, h.MemoryMiB, h.Cluster, h.InterruptVectorBudget, at));
            commands.Add(new ChipsetCommand.RegisterChipset(ChipsetId.Of(h.Id), h.Id, h.ChipsetDescription ?? "", h.Chipset ?? ChipsetCapabilities.Full, at));
        }
        foreach (var n in topology.Nics.OrderBy(n => n.Id.Value, StringComparer.Ordinal))
        {
            var platform = platformOf.TryGetValue(n.Host, out var p) ? p
                : throw new DomainRuleViolated($"NIC {n.Id} is on host {n.Host}, which the topology does not describe");
            commands.Add(new NicCommand.InstallNic(n.Id, n.Host, platform, n.Model, n.Vendor, n.PciAddress, n.LinkMbps, n.NumaNode,
                n.MaxVfs, n.PfDriverSupportsSriov, n.VPorts, n.QueuePairs, at));
            commands.Add(new NicCommand.ObserveVfConfiguration(n.Id, n.MaxVfs, n.SriovEnabled, n.ConfiguredVfs, n.RequestedVfs, op, at));
        }
        foreach (var pool in topology.ResourcePools.OrderBy(p => p.Nic.Value, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal))
            commands.Add(new NicCommand.DefineResourcePool(pool.Nic, pool.Name, pool.VfIndices, at));
        foreach (var s in topology.Switches.OrderBy(s => s.Id.Value, StringComparer.Ordinal))
            commands.Add(new SwitchCommand.CreateSwitch(s.Id, s.Host, platformOf.GetValueOrDefault(s.Host, Platform.Kvm), s.Name, s.Kind, s.BoundNic, s.IovEnabled, op, at));
        foreach (var vm in topology.Vms.OrderBy(v => v.Id.Value, StringComparer.Ordinal))
        {
            var platform = platformOf.TryGetValue(vm.Host, out var p) ? p
                : throw new DomainRuleViolated($"VM {vm.Id} is on host {vm.Host}, which the topology does not describe");
            commands.Add(new VmCommand.DefineVm(vm.Id, vm.Host, platform, GuestOs.Parse(vm.Guest, vm.GuestHasVfDriver), vm.Vcpus, vm.MemoryMiB, vm.Vnics, at));
        }
        var toStart = topology.Vms.Where(v => v.Running).Select(v => v.Id).OrderBy(v => v.Value, StringComparer.Ordinal).ToList();
        return new TopologyCommands(commands, toStart);
    }
}
