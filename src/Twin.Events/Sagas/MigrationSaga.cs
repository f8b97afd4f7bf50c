using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Switches;
using Twin.Events.Vms;

namespace Twin.Events.Sagas;

/// <summary>
/// Live migration as a saga (DESIGN §3.3): claim a VF on the destination first (or decide synthetic), move, then free
/// the source VF; on failure release the destination claim. Exactly one holder per VF at every event; every claim is
/// released exactly once (releases name their claim); an aborted migration leaves the VM with its source VFs.
/// </summary>
public static class MigrationSaga
{
    /// <summary>The checkpoint where the memory copy happens (a fault injected here fails the move).</summary>
    public const string CopyStep = "migration.copy";

    /// <summary>Moves a running VM to <paramref name="destination"/>. vSphere refuses up front for SR-IOV VMs.</summary>
    public static async ValueTask<SagaOutcome> Migrate(ITwinPort port, VmId vmId, HostId destination)
    {
        var dest = await port.GetHost(destination) ?? throw new DomainRuleViolated($"destination host {destination} is not registered");
        var vm = await port.GetVm(vmId) ?? throw new DomainRuleViolated($"VM {vmId} is not defined");
        if (vm.Host == destination && vm.Status == VmStatus.Running && vm.PendingKind == VmOperationKind.None)
        {
            // a retry of the move that brought it here is done; any other move to the host it is on is a mistake
            if (vm.LastMigrationOp == port.Operation) return SagaOutcome.Done($"VM {vmId} already runs on {destination}", port.Operation);
            throw new DomainRuleViolated($"VM {vmId} is already on {destination}");
        }
        if (dest.Platform != vm.Platform)
            throw new DomainRuleViolated($"VM {vmId} runs on {vm.Platform}; {destination} is {dest.Platform}: no live migration across platforms");
        var begun = await port.Vm(new VmCommand.BeginMigration(vmId, destination, port.Operation, port.Now));
        if (begun.Events.OfType<VmEvent.VmMigrationRejected>().FirstOrDefault() is { } refused)
            return SagaOutcome.Refused($"VM {vmId} was not migrated: {refused.Reason}", null, port.Operation);
        return await Continue(port, begun.Snapshot);
    }

    /// <summary>Runs (or resumes) the open migration of <paramref name="vm"/>.</summary>
    public static async ValueTask<SagaOutcome> Continue(ITwinPort port, VmSnapshot vm)
    {
        if (vm.PendingKind == VmOperationKind.ReleaseSourceVfs) return await ReleaseSource(port, vm);
        var op = port.Operation;
        var vmId = new VmId(vm.Id);
        var source = vm.Host;
        var destination = vm.MigrationDestination ?? throw new DomainRuleViolated($"VM {vmId} has no migration open");
        var rules = PlatformRules.For(vm.Platform);
        try
        {
            var reserve = rules.ReservesAllGuestMemory && vm.Vnics.Any(v => v.Spec.WantsVf);
            var placed = await port.Host(new HostCommand.PlaceVm(destination, vmId, vm.Vcpus, vm.MemoryMiB, reserve, op, port.Now));
            if (placed.Events.OfType<HostEvent.VmPlacementRejected>().FirstOrDefault() is { } noRoom)
                return await Abort(port, vm, $"{destination} refused the VM: {noRoom.Detail}");

            // 1. claim on the destination first, or decide synthetic there
            var destVm = vm with { Host = destination, Vnics = vm.Vnics.Select(v => v with { Spec = v.Spec with { Switch = OnHost(v.Spec.Switch, source, destination) } }).ToValueList() };
            var plans = await VmSagas.PlanVnics(port, destVm);
            foreach (var p in plans)
            {
                Datapath claim;
                if (!p.Vnic.WantsVf) claim = Datapath.Synthetic();
                else if (p.Blockers.Count > 0) claim = Datapath.Synthetic(p.Blockers[0]);
                else
                {
                    var nic = new NicId(p.Nic!.Id);
                    var me = new VnicRef(vmId, p.Vnic.Name);
                    var result = await port.Nic(new NicCommand.AllocateVfs(nic, [new VfRequest(me, p.Vnic.IovWeight, p.Vnic.QueuePairs)], op, port.Now));
                    await VmSagas.Propagate(port, nic, result.Events, vmId, SriovBlocker.VfPoolExhausted);
                    claim = VmSagas.Held(result.Snapshot, me) is { } slot
                        ? Datapath.OnVf(nic, slot.Index, slot.Claim)
                        : Datapath.Synthetic(SriovBlocker.NoVfOnDestination);
                }
                await port.Vm(new VmCommand.RecordDestinationClaim(vmId, p.Vnic.Name, claim, op, port.Now));
            }

            // 2. the VF cannot travel: the vNIC runs synthetic while the memory is copied (source VF still claimed)
            foreach (var v in vm.Vnics.Where(v => v.Datapath.Kind == DatapathKind.Vf))
                await port.Vm(new VmCommand.RecordDatapath(vmId, v.Spec.Name, Datapath.Synthetic(SriovBlocker.MigrationInProgress), op, port.Now));

            await port.Checkpoint(CopyStep);
        }
        catch (Exception ex) when (ex is not DomainRuleViolated)
        {
            var current = await port.GetVm(vmId) ?? vm;
            return await Abort(port, current, $"the move failed before the switch-over: {ex.Message}");
        }

        // 3. the VM leaves the source. Done before the switch-over, while the migration is still open, so a resumed saga
        //    redoes these idempotent steps instead of skipping them: its ports move to the destination's switches, a
        //    vNIC still waiting for a VF on the source stops waiting there (and gives back one handed to it meanwhile;
        //    the VFs it holds there are freed by claim after the move), and the source frees its placement.
        foreach (var v in vm.Vnics)
        {
            var me = new VnicRef(vmId, v.Spec.Name);
            if (v.Spec.WantsVf && !vm.SourceVfs.Any(h => h.Vnic == v.Spec.Name) && await port.GetSwitch(v.Spec.Switch) is { BoundNic: { } bound })
            {
                var withdrawn = await port.Nic(new NicCommand.ReleaseVf(bound, me, OperationId.None, op, port.Now));
                await VmSagas.Propagate(port, bound, withdrawn.Events, vmId, SriovBlocker.VfPoolExhausted);
            }
            await port.Switch(new SwitchCommand.DisconnectPort(v.Spec.Switch, me, port.Now));
            await port.Switch(new SwitchCommand.ConnectPort(OnHost(v.Spec.Switch, source, destination), me, port.Now));
        }
        await port.Host(new HostCommand.ReleaseInterruptVectors(source, vmId, op, port.Now));
        await port.Host(new HostCommand.RemoveVm(source, vmId, op, port.Now));

        // 4. switch over: the VM runs on the destination with what it claimed there
        var moved = await port.Vm(new VmCommand.CompleteMigration(vmId, op, port.Now));
        return await ReleaseSource(port, moved.Snapshot);
    }

    /// <summary>5. Frees the VFs the VM held on the source, each by its own claim (so a claim made later by anyone
    /// else is never touched), recording each release (a resumed saga continues with the ones left).</summary>
    private static async ValueTask<SagaOutcome> ReleaseSource(ITwinPort port, VmSnapshot vm)
    {
        var op = port.Operation;
        var vmId = new VmId(vm.Id);
        foreach (var held in vm.SourceVfs)
        {
            var released = await port.Nic(new NicCommand.ReleaseVf(held.Nic, new VnicRef(vmId, held.Vnic), held.Claim, op, port.Now));
            await VmSagas.Propagate(port, held.Nic, released.Events, vmId, SriovBlocker.VfPoolExhausted);
            await port.Vm(new VmCommand.RecordSourceRelease(vmId, held.Vnic, op, port.Now));
        }
        await VmSagas.SyncInterruptVectors(port, vmId);
        var after = await port.GetVm(vmId);
        var onVf = after?.Vnics.Count(v => v.Datapath.Kind == DatapathKind.Vf) ?? 0;
        var synthetic = after?.Vnics.Where(v => v.Spec.WantsVf && v.Datapath.Kind != DatapathKind.Vf).Select(v => $"{v.Spec.Name} runs {v.Datapath}").ToList() ?? [];
        return SagaOutcome.Done($"VM {vmId} migrated to {vm.Host}; {onVf} vNIC(s) on a VF" + (synthetic.Count > 0 ? "; " + string.Join(", ", synthetic) : ""), op);
    }

    /// <summary>Releases every destination claim of this migration (exactly once: by claim), leaves the VM with its
    /// source VFs and records the abort.</summary>
    private static async ValueTask<SagaOutcome> Abort(ITwinPort port, VmSnapshot vm, string reason)
    {
        var op = port.Operation;
        var vmId = new VmId(vm.Id);
        var destination = vm.MigrationDestination!.Value;
        foreach (var v in vm.Vnics)
        {
            var destSwitch = await port.GetSwitch(OnHost(v.Spec.Switch, vm.Host, destination));
            if (destSwitch?.BoundNic is not { } nic) continue;
            var released = await port.Nic(new NicCommand.ReleaseVf(nic, new VnicRef(vmId, v.Spec.Name), op, op, port.Now));
            await VmSagas.Propagate(port, nic, released.Events, vmId, SriovBlocker.VfPoolExhausted);
        }
        await port.Host(new HostCommand.RemoveVm(destination, vmId, op, port.Now));
        foreach (var held in vm.SourceVfs)
            await port.Vm(new VmCommand.RecordDatapath(vmId, held.Vnic, Datapath.OnVf(held.Nic, held.VfIndex, held.Claim), op, port.Now));
        await port.Vm(new VmCommand.AbortMigration(vmId, reason, op, port.Now));
        return SagaOutcome.Refused($"migration of {vmId} to {destination} aborted ({reason}); it keeps its source VFs", null, op);
    }

    /// <summary>The same switch on another host: switch ids are "host/name" by convention.</summary>
    public static SwitchId OnHost(SwitchId sw, HostId from, HostId to) => sw.OnHost(from, to);
}
