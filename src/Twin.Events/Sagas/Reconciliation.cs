using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Vms;

namespace Twin.Events.Sagas;

/// <summary>One VF a reconciliation freed or repaired, and why.</summary>
[GenerateSerializer, Immutable]
public sealed record ReconciliationFinding(
    NicId Nic, int VfIndex, VnicRef Vnic, OperationId Claim,
    string Finding, bool Freed);

/// <summary>
/// Finds VFs a PF says are held by a vNIC that cannot be using them (its VM is gone, off, elsewhere, no longer wants a
/// VF, or holds another VF) and frees each exactly once: the release names the claim it found, so a claim made after
/// the look (a migration that finished meanwhile — Nova bug 1896463) is never touched. A VF a running VM should have
/// but has not recorded (a hand-over notice lost in a crash) is recorded on the VM instead of freed.
/// </summary>
public static class Reconciliation
{
    public static async ValueTask<IReadOnlyList<ReconciliationFinding>> Run(ITwinPort port, IEnumerable<NicId> nics, IEnumerable<VmId>? vms = null)
    {
        var findings = new List<ReconciliationFinding>();
        foreach (var vmId in vms ?? [])
            findings.AddRange(await RepairPhantoms(port, vmId));
        foreach (var nicId in nics)
        {
            // the PF first, the VMs after: a claim seen here already exists, so a VM read later shows it if it is legitimate
            var nic = await port.GetNic(nicId);
            if (nic is null) continue;
            foreach (var slot in nic.Holders.ToList())
            {
                var vnic = slot.Holder!.Value;
                var vm = await port.GetVm(vnic.Vm);
                var v = vm?.Vnics.FirstOrDefault(x => x.Spec.Name == vnic.Name);
                var verdict = Judge(nic, slot, vm, v);
                if (verdict is null) continue;
                if (verdict == RecordOnVm)
                {
                    await port.Vm(new VmCommand.RecordDatapath(vnic.Vm, vnic.Name, Datapath.OnVf(nicId, slot.Index, slot.Claim), port.Operation, port.Now));
                    findings.Add(new(nicId, slot.Index, vnic, slot.Claim, "held on the PF but not recorded on the running VM: recorded", false));
                    continue;
                }
                var released = await port.Nic(new NicCommand.ReleaseVf(nicId, vnic, slot.Claim, port.Operation, port.Now));
                var freed = released.Events.OfType<NicEvent.VfReleased>().Any();
                await VmSagas.Propagate(port, nicId, released.Events, vnic.Vm, SriovBlocker.VfPoolExhausted);
                findings.Add(new(nicId, slot.Index, vnic, slot.Claim, verdict, freed));
            }
        }
        return findings;
    }

    private const string RecordOnVm = "record";

    /// <summary>A running VM whose datapath names a VF its PF does not give it (a revocation notice lost in a crash):
    /// the PF is the authority, so the vNIC is recorded synthetic.</summary>
    private static async ValueTask<List<ReconciliationFinding>> RepairPhantoms(ITwinPort port, VmId vmId)
    {
        var found = new List<ReconciliationFinding>();
        var vm = await port.GetVm(vmId);
        if (vm is not { Status: VmStatus.Running } || !vm.PendingOp.IsNone) return found;
        foreach (var v in vm.Vnics.Where(v => v.Datapath.Kind == DatapathKind.Vf && v.PendingStep == VmOperationKind.None))
        {
            var nicId = v.Datapath.Nic!.Value;
            var nic = await port.GetNic(nicId);
            var vnic = new VnicRef(vmId, v.Spec.Name);
            if (nic?.Slots.FirstOrDefault(s => s.Index == v.Datapath.VfIndex)?.Holder == vnic) continue;
            await port.Vm(new VmCommand.RecordDatapath(vmId, v.Spec.Name, Datapath.Synthetic(SriovBlocker.VfPoolExhausted), port.Operation, port.Now));
            found.Add(new(nicId, v.Datapath.VfIndex!.Value, vnic, v.Datapath.Claim, "the VM recorded a VF its PF does not give it: recorded synthetic", false));
        }
        return found;
    }

    /// <summary>Null when the holder legitimately holds the VF; <see cref="RecordOnVm"/> when the VM should record it;
    /// otherwise why it is an orphan.</summary>
    private static string? Judge(NicSnapshot nic, VfSlotSnapshot slot, VmSnapshot? vm, VnicSnapshot? v)
    {
        var nicId = new NicId(nic.Id);
        if (vm is null || vm.Status is VmStatus.Absent or VmStatus.Deleted) return "its VM does not exist";
        if (v is null) return "its vNIC does not exist";
        if (!vm.PendingOp.IsNone && vm.PendingOp == slot.Claim) return null; // a saga in flight owns it
        if (vm.SourceVfs.Any(h => h.Nic == nicId && h.VfIndex == slot.Index && h.Claim == slot.Claim)) return null; // freed by its migration
        if (v.DestinationClaim is { Kind: DatapathKind.Vf } d && d.Nic == nicId && d.VfIndex == slot.Index) return null;
        if (v.Datapath.Kind == DatapathKind.Vf && v.Datapath.Nic == nicId && v.Datapath.VfIndex == slot.Index) return null;
        if (vm.Status == VmStatus.Off) return "its VM is off";
        if (vm.Host != nic.Host && vm.MigrationDestination != nic.Host) return $"its VM runs on {vm.Host}";
        if (!v.Spec.WantsVf) return "its vNIC no longer wants a VF";
        if (v.Datapath.Kind == DatapathKind.Vf) return $"its vNIC holds another VF ({v.Datapath})";
        return vm.Status == VmStatus.Running ? RecordOnVm : null;
    }
}
