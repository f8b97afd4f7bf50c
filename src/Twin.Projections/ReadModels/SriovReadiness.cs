using Twin.Events.Catalog;
using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Sriov;
using Twin.Events.Switches;
using Twin.Events.Vms;

namespace Twin.Projections.ReadModels;

/// <summary>One vNIC that wants SR-IOV (IovWeight &gt; 0): where its VF would come from, the datapath it has, and every
/// reason it cannot have a VF now (empty when it has one or could get one). <see cref="RecordedReason"/> is the reason
/// recorded with its current datapath.</summary>
public sealed record VnicReadiness(
    string Vm,
    string Vnic,
    string Host,
    VmStatus VmStatus,
    int IovWeight,
    string Switch,
    string? Nic,
    DatapathKind Datapath,
    SriovBlocker? RecordedReason,
    bool OnVf,
    ValueList<SriovBlocker> Blockers)
{
    /// <summary>Wants a VF, has none, and something stands in the way.</summary>
    public bool Blocked => !OnVf && Blockers.Count > 0;
}

/// <summary>SR-IOV readiness of one VM's vNICs (document id = VM id); only VMs with a vNIC that wants SR-IOV have one.
/// Cross-stream (VM, host, chipset, switch, NIC): kept by the async daemon, and computable for any past moment.</summary>
public sealed record VmSriovReadiness(string Id, string Host, VmStatus Status, ValueList<VnicReadiness> Vnics);

/// <summary>Computes readiness from snapshots with the core's own prerequisite rules (<see cref="SriovPrerequisites"/>)
/// plus the pool's finite resources: free VFs, Hyper-V VPorts and queue pairs, vSphere interrupt vectors.</summary>
public static class SriovReadiness
{
    /// <summary>Lookups of the entities a VM's vNICs depend on.</summary>
    public interface IEntities
    {
        HostSnapshot? Host(HostId id);
        ChipsetSnapshot? Chipset(ChipsetId id);
        SwitchSnapshot? Switch(SwitchId id);
        NicSnapshot? Nic(NicId id);
    }

    /// <summary>The VM's readiness, or null when no vNIC wants SR-IOV (or the VM is deleted).</summary>
    public static VmSriovReadiness? Of(VmSnapshot vm, IEntities entities)
    {
        if (vm.Status is VmStatus.Absent or VmStatus.Deleted) return null;
        var vnics = vm.Vnics.Where(v => v.Spec.WantsVf).Select(v => Vnic(vm, v, entities)).ToValueList();
        return vnics.Count == 0 ? null : new VmSriovReadiness(vm.Id, vm.Host.Value, vm.Status, vnics);
    }

    private static VnicReadiness Vnic(VmSnapshot vm, VnicSnapshot v, IEntities entities)
    {
        var host = entities.Host(vm.Host);
        var sw = entities.Switch(v.Spec.Switch);
        var nic = sw?.BoundNic is { } bound ? entities.Nic(bound) : null;
        var onVf = v.Datapath.Kind == DatapathKind.Vf;
        var blockers = new List<SriovBlocker>();
        if (!onVf)
        {
            if (host is null) blockers.Add(SriovBlocker.HostUnavailable);
            else
            {
                var chipset = entities.Chipset(ChipsetId.Of(vm.Host));
                blockers.AddRange(SriovPrerequisites.Check(HostFacts.Of(host), chipset?.Capabilities, sw is null ? null : SwitchFacts.Of(sw),
                    nic is null ? null : NicFacts.Of(nic), vm.Guest, v.Spec.IovWeight));
                if (blockers.Count == 0 && nic is not null) blockers.AddRange(PoolBlockers(host, nic, v.Spec));
            }
        }
        return new VnicReadiness(vm.Id, v.Spec.Name, vm.Host.Value, vm.Status, v.Spec.IovWeight, v.Spec.Switch.Value, nic?.Id ?? sw?.BoundNic?.Value,
            v.Datapath.Kind, v.Datapath.Reason, onVf, blockers.ToValueList());
    }

    /// <summary>The pool's finite resources that would refuse one more VF for <paramref name="spec"/>.</summary>
    private static IEnumerable<SriovBlocker> PoolBlockers(HostSnapshot host, NicSnapshot nic, VnicSpec spec)
    {
        if (nic.Free <= 0) yield return SriovBlocker.VfPoolExhausted;
        if (nic.VPorts is { } vports && vports - nic.Allocated <= 0) yield return SriovBlocker.NoVPortAvailable;
        if (nic.QueuePairs is { } qp && qp - nic.QueuePairsUsed < spec.QueuePairs) yield return SriovBlocker.NoQueuePairsAvailable;
        if (PlatformRules.For(host.Platform).HasInterruptVectorBudget
            && host.InterruptVectorBudget - host.InterruptVectorsUsed < InterruptVectors.PerVf(nic.Vendor))
            yield return SriovBlocker.OutOfInterruptVectors;
    }
}
