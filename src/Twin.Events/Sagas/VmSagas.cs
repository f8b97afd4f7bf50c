using Twin.Events.Catalog;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Sriov;
using Twin.Events.Switches;
using Twin.Events.Vms;

namespace Twin.Events.Sagas;

/// <summary>
/// The cross-aggregate actions of a VM, as sagas over <see cref="ITwinPort"/>: start, stop, SR-IOV on a running vNIC,
/// and notices from other aggregates. Each saga's progress is events in the VM's stream, every step is idempotent on
/// the operation id, and running a saga again with the same operation resumes it (after a crash or a failed step).
/// The NIC stream alone decides which VF a vNIC holds; the VM records the datapath it was given.
/// </summary>
public static class VmSagas
{
    // ---------------- start ----------------

    /// <summary>Starts a VM: places it, checks every SR-IOV prerequisite, asks each PF for the VFs its vNICs want, and
    /// records each vNIC's datapath. On exhaustion or a missing prerequisite Hyper-V starts the VM on the synthetic path
    /// (the vNIC waits for a VF); vSphere fails the power-on; KVM fails the start atomically — keeping nothing.</summary>
    public static async ValueTask<SagaOutcome> Start(ITwinPort port, VmId vmId)
    {
        var vm = await port.GetVm(vmId) ?? throw new DomainRuleViolated($"VM {vmId} is not defined");
        if (vm.Status == VmStatus.Running) return SagaOutcome.Done($"VM {vmId} is already running", port.Operation);
        vm = (await port.Vm(new VmCommand.BeginStart(vmId, port.Operation, port.Now))).Snapshot;
        return await ContinueStart(port, vm);
    }

    /// <summary>Runs (or resumes) the open start of <paramref name="vm"/>.</summary>
    public static async ValueTask<SagaOutcome> ContinueStart(ITwinPort port, VmSnapshot vm)
    {
        var op = port.Operation;
        var vmId = new VmId(vm.Id);
        var rules = PlatformRules.For(vm.Platform);
        var plans = await PlanVnics(port, vm);

        var reserve = rules.ReservesAllGuestMemory && vm.Vnics.Any(v => v.Spec.WantsVf);
        var placed = await port.Host(new HostCommand.PlaceVm(vm.Host, vmId, vm.Vcpus, vm.MemoryMiB, reserve, op, port.Now));
        if (placed.Events.OfType<HostEvent.VmPlacementRejected>().FirstOrDefault() is { } noRoom)
            return await FailStart(port, vm, plans, noRoom.Reason == HostRefusal.HostUnavailable ? SriovBlocker.HostUnavailable : null, noRoom.Detail);

        foreach (var p in plans.Where(p => p.Switch is { Status: SwitchStatus.Active }))
            await port.Switch(new SwitchCommand.ConnectPort(new SwitchId(p.Switch!.Id), new VnicRef(vmId, p.Vnic.Name), port.Now));

        var blocked = plans.FirstOrDefault(p => p.Vnic.WantsVf && p.Blockers.Count > 0);
        if (blocked is not null && rules.OnExhaustion != ExhaustionBehaviour.SyntheticFallback)
            return await FailStart(port, vm, plans, blocked.Blockers[0], $"{vmId}/{blocked.Vnic.Name}: {string.Join(", ", blocked.Blockers)}");

        var eligible = plans.Where(p => p.Vnic.WantsVf && p.Blockers.Count == 0).ToList();
        if (rules.HasInterruptVectorBudget && eligible.Count > 0)
        {
            var vectors = eligible.Sum(p => InterruptVectors.PerVf(p.Nic!.Vendor));
            var reserved = await port.Host(new HostCommand.ReserveInterruptVectors(vm.Host, vmId, vectors, op, port.Now));
            if (reserved.Events.OfType<HostEvent.InterruptVectorsRejected>().FirstOrDefault() is { } noVectors)
                return await FailStart(port, vm, plans, SriovBlocker.OutOfInterruptVectors,
                    $"{vmId} needs {noVectors.Vectors} interrupt vectors, {noVectors.Free} left on {vm.Host}");
        }

        var datapaths = new Dictionary<string, Datapath>();
        foreach (var group in eligible.GroupBy(p => p.Nic!.Id))
        {
            var nicId = new NicId(group.Key);
            var requests = group.Select(p => new VfRequest(new VnicRef(vmId, p.Vnic.Name), p.Vnic.IovWeight, p.Vnic.QueuePairs)).ToValueList();
            var result = await port.Nic(new NicCommand.AllocateVfs(nicId, requests, op, port.Now));
            await Propagate(port, nicId, result.Events, vmId, SriovBlocker.VfPoolExhausted);
            foreach (var p in group)
            {
                var vnic = new VnicRef(vmId, p.Vnic.Name);
                if (Held(result.Snapshot, vnic) is { } slot)
                {
                    datapaths[p.Vnic.Name] = Datapath.OnVf(nicId, slot.Index, slot.Claim);
                    continue;
                }
                var reason = result.Events.OfType<NicEvent.VfAllocationRejected>().FirstOrDefault(r => r.Vnic == vnic)?.Reason ?? SriovBlocker.VfPoolExhausted;
                if (rules.OnExhaustion != ExhaustionBehaviour.SyntheticFallback)
                    return await FailStart(port, vm, plans, reason, $"{vnic} got no VF from {nicId}: {reason} ({Free(result.Snapshot)} free)");
                datapaths[p.Vnic.Name] = Datapath.Synthetic(reason);
            }
        }

        foreach (var p in plans)
        {
            var datapath = datapaths.GetValueOrDefault(p.Vnic.Name)
                ?? (p.Vnic.WantsVf ? Datapath.Synthetic(p.Blockers.Count > 0 ? p.Blockers[0] : SriovBlocker.VfPoolExhausted) : Datapath.Synthetic());
            await port.Vm(new VmCommand.RecordDatapath(vmId, p.Vnic.Name, datapath, op, port.Now));
        }
        var started = await port.Vm(new VmCommand.CompleteStart(vmId, op, port.Now));
        var onVf = started.Snapshot.Vnics.Count(v => v.Datapath.Kind == DatapathKind.Vf);
        var synthetic = started.Snapshot.Vnics.Where(v => v.Spec.WantsVf && v.Datapath.Kind != DatapathKind.Vf).ToList();
        return SagaOutcome.Done(synthetic.Count == 0
            ? $"VM {vmId} started on {vm.Host} with {onVf} vNIC(s) on a VF"
            : $"VM {vmId} started on {vm.Host}; {string.Join(", ", synthetic.Select(v => $"{v.Spec.Name} runs {v.Datapath}"))}", op);
    }

    /// <summary>Undoes what this start holds (its VF claims, interrupt vectors, placement) and records the failure.</summary>
    private static async ValueTask<SagaOutcome> FailStart(ITwinPort port, VmSnapshot vm, List<VnicPlan> plans, SriovBlocker? reason, string detail)
    {
        var op = port.Operation;
        var vmId = new VmId(vm.Id);
        foreach (var nic in plans.Where(p => p.Nic is not null).Select(p => new NicId(p.Nic!.Id)).Distinct())
            foreach (var p in plans.Where(p => p.Nic?.Id == nic.Value))
            {
                var released = await port.Nic(new NicCommand.ReleaseVf(nic, new VnicRef(vmId, p.Vnic.Name), op, op, port.Now));
                await Propagate(port, nic, released.Events, vmId, SriovBlocker.VfPoolExhausted);
            }
        await port.Host(new HostCommand.ReleaseInterruptVectors(vm.Host, vmId, op, port.Now));
        await port.Host(new HostCommand.RemoveVm(vm.Host, vmId, op, port.Now));
        await port.Vm(new VmCommand.FailStart(vmId, reason, detail, op, port.Now));
        var platform = vm.Platform == Platform.VSphere ? "power-on failed" : "start failed";
        return SagaOutcome.Refused($"VM {vmId} {platform}: {detail}", reason, op);
    }

    // ---------------- stop ----------------

    /// <summary>Stops a VM: frees every VF its vNICs hold (a freed VF may go to a waiting vNIC on Hyper-V), withdraws
    /// waiting requests, releases its interrupt vectors and placement.</summary>
    public static async ValueTask<SagaOutcome> Stop(ITwinPort port, VmId vmId)
    {
        var vm = await port.GetVm(vmId) ?? throw new DomainRuleViolated($"VM {vmId} is not defined");
        if (vm.Status == VmStatus.Off) return SagaOutcome.Done($"VM {vmId} is already off", port.Operation);
        vm = (await port.Vm(new VmCommand.BeginStop(vmId, port.Operation, port.Now))).Snapshot;
        return await ContinueStop(port, vm);
    }

    /// <summary>Runs (or resumes) the open stop of <paramref name="vm"/>.</summary>
    public static async ValueTask<SagaOutcome> ContinueStop(ITwinPort port, VmSnapshot vm)
    {
        var op = port.Operation;
        var vmId = new VmId(vm.Id);
        var freed = 0;
        // waiting vNICs withdraw first, so a VF freed by this VM is never handed to its own vNIC only to be freed again
        var nics = (await NicsOf(port, vm)).OrderBy(x => vm.Vnics.First(v => v.Spec.Name == x.Vnic).Datapath.Kind == DatapathKind.Vf).ToList();
        foreach (var (vnic, nic) in nics)
        {
            var released = await port.Nic(new NicCommand.ReleaseVf(nic, new VnicRef(vmId, vnic), OperationId.None, op, port.Now));
            freed += released.Events.OfType<NicEvent.VfReleased>().Count();
            await Propagate(port, nic, released.Events, vmId, SriovBlocker.VfPoolExhausted);
        }
        await port.Host(new HostCommand.ReleaseInterruptVectors(vm.Host, vmId, op, port.Now));
        await port.Host(new HostCommand.RemoveVm(vm.Host, vmId, op, port.Now));
        await port.Vm(new VmCommand.CompleteStop(vmId, op, port.Now));
        return SagaOutcome.Done($"VM {vmId} stopped; {freed} VF(s) freed", op);
    }

    // ---------------- SR-IOV on a running vNIC ----------------

    /// <summary>"Enable SR-IOV" (weight 1–100) or disable it (0) on a vNIC; on a running VM this assigns a VF (or
    /// leaves the vNIC synthetic with the reason) or frees the one it holds.</summary>
    public static async ValueTask<SagaOutcome> SetIovWeight(ITwinPort port, VmId vmId, string vnicName, int weight)
    {
        var vm = (await port.Vm(new VmCommand.SetIovWeight(vmId, vnicName, weight, port.Operation, port.Now))).Snapshot;
        return await ContinueVnicStep(port, vm, vnicName);
    }

    /// <summary>Runs (or resumes) the open per-vNIC step of <paramref name="vnicName"/>.</summary>
    public static async ValueTask<SagaOutcome> ContinueVnicStep(ITwinPort port, VmSnapshot vm, string vnicName)
    {
        var op = port.Operation;
        var vmId = new VmId(vm.Id);
        var vnic = vm.Vnics.First(v => v.Spec.Name == vnicName);
        if (vm.Status != VmStatus.Running || vnic.PendingStep == VmOperationKind.None)
            return SagaOutcome.Done($"{vmId}/{vnicName}: IovWeight {vnic.Spec.IovWeight} takes effect at the next start", op);

        if (vnic.PendingStep == VmOperationKind.ReleaseVf)
        {
            if (vnic.Datapath.Nic is { } held)
            {
                var released = await port.Nic(new NicCommand.ReleaseVf(held, new VnicRef(vmId, vnicName), vnic.Datapath.Claim, op, port.Now));
                await Propagate(port, held, released.Events, vmId, SriovBlocker.VfPoolExhausted);
            }
            else if (await port.GetSwitch(vnic.Spec.Switch) is { BoundNic: { } bound })
            {
                // it held no VF: it stops waiting for one (and gives back one handed to it that it has not heard of yet)
                var withdrawn = await port.Nic(new NicCommand.ReleaseVf(bound, new VnicRef(vmId, vnicName), OperationId.None, op, port.Now));
                await Propagate(port, bound, withdrawn.Events, vmId, SriovBlocker.VfPoolExhausted);
            }
            await port.Vm(new VmCommand.RecordDatapath(vmId, vnicName, Datapath.Synthetic(), op, port.Now));
            await SyncInterruptVectors(port, vmId);
            return SagaOutcome.Done(vnic.Datapath.Nic is null
                ? $"{vmId}/{vnicName} no longer waits for a VF and runs synthetic"
                : $"{vmId}/{vnicName} gave its VF back and runs synthetic", op);
        }

        var rules = PlatformRules.For(vm.Platform);
        var plan = (await PlanVnics(port, vm)).First(p => p.Vnic.Name == vnicName);
        if (plan.Blockers.Count > 0)
        {
            await port.Vm(new VmCommand.RecordDatapath(vmId, vnicName, Datapath.Synthetic(plan.Blockers[0]), op, port.Now));
            return SagaOutcome.Refused($"{vmId}/{vnicName} cannot have a VF: {string.Join(", ", plan.Blockers)}", plan.Blockers[0], op);
        }
        if (rules.HasInterruptVectorBudget)
        {
            var host = await port.GetHost(vm.Host);
            var current = host?.Vms.FirstOrDefault(p => p.Vm == vmId)?.InterruptVectors ?? 0;
            var reserved = await port.Host(new HostCommand.ReserveInterruptVectors(vm.Host, vmId, current + InterruptVectors.PerVf(plan.Nic!.Vendor), op, port.Now));
            if (reserved.Events.OfType<HostEvent.InterruptVectorsRejected>().FirstOrDefault() is { } none)
            {
                await port.Vm(new VmCommand.RecordDatapath(vmId, vnicName, Datapath.Synthetic(SriovBlocker.OutOfInterruptVectors), op, port.Now));
                return SagaOutcome.Refused($"{vmId}/{vnicName}: {vm.Host} is out of interrupt vectors ({none.Free} left)", SriovBlocker.OutOfInterruptVectors, op);
            }
        }
        var nicId = new NicId(plan.Nic!.Id);
        var me = new VnicRef(vmId, vnicName);
        var result = await port.Nic(new NicCommand.AllocateVfs(nicId, [new VfRequest(me, vnic.Spec.IovWeight, vnic.Spec.QueuePairs)], op, port.Now));
        await Propagate(port, nicId, result.Events, vmId, SriovBlocker.VfPoolExhausted);
        if (Held(result.Snapshot, me) is { } slot)
        {
            await port.Vm(new VmCommand.RecordDatapath(vmId, vnicName, Datapath.OnVf(nicId, slot.Index, slot.Claim), op, port.Now));
            return SagaOutcome.Done($"{me} got VF {slot.Index} on {nicId}", op);
        }
        var reason = result.Events.OfType<NicEvent.VfAllocationRejected>().FirstOrDefault()?.Reason ?? SriovBlocker.VfPoolExhausted;
        await port.Vm(new VmCommand.RecordDatapath(vmId, vnicName, Datapath.Synthetic(reason), op, port.Now));
        await SyncInterruptVectors(port, vmId);
        return SagaOutcome.Refused($"{me} got no VF from {nicId} ({reason}); it runs synthetic" +
            (rules.OnExhaustion == ExhaustionBehaviour.SyntheticFallback ? " and waits for one" : ""), reason, op);
    }

    // ---------------- notices from other aggregates ----------------

    /// <summary>Handles a notice about one of this VM's vNICs. A VF handed to a VM that can no longer use it (stopped,
    /// moved, no longer wanting one) is given back at once, so it is never leaked.</summary>
    public static async ValueTask HandleNotice(ITwinPort port, VmId vmId, VmNotice notice)
    {
        var vm = await port.GetVm(vmId);
        var vnic = vm?.Vnics.FirstOrDefault(v => v.Spec.Name == notice.Vnic);
        var running = vm is { Status: VmStatus.Running or VmStatus.Starting or VmStatus.Migrating };
        switch (notice)
        {
            case VmNotice.VfGranted g:
                var nic = await port.GetNic(g.Nic);
                if (running && vnic is { Spec.WantsVf: true } && nic is not null && nic.Host == vm!.Host && vnic.Datapath.Kind != DatapathKind.Vf)
                {
                    await port.Vm(new VmCommand.RecordDatapath(vmId, g.Vnic, Datapath.OnVf(g.Nic, g.VfIndex, g.Claim), port.Operation, port.Now));
                    return;
                }
                if (vnic?.Datapath is { Kind: DatapathKind.Vf } dp && dp.Nic == g.Nic && dp.VfIndex == g.VfIndex) return;
                var back = await port.Nic(new NicCommand.ReleaseVf(g.Nic, new VnicRef(vmId, g.Vnic), g.Claim, port.Operation, port.Now));
                await Propagate(port, g.Nic, back.Events, vmId, SriovBlocker.VfPoolExhausted);
                return;
            case VmNotice.VfLost l when running && vnic is not null:
                var lostVf = vnic.Datapath.Kind == DatapathKind.Vf && vnic.Datapath.Nic == l.Nic;
                var waitingThere = vnic.Datapath.Kind == DatapathKind.Synthetic && vnic.Spec.WantsVf;
                if (lostVf || waitingThere)
                    await port.Vm(new VmCommand.RecordDatapath(vmId, l.Vnic, Datapath.Synthetic(l.StillWaiting ? SriovBlocker.VfPoolExhausted : l.Reason), port.Operation, port.Now));
                if (lostVf) await SyncInterruptVectors(port, vmId);
                return;
        }
    }

    /// <summary>Sends the notices a PF's events imply to the VMs concerned (other than <paramref name="self"/>, whose
    /// own saga records its datapaths). <paramref name="withdrawReason"/> explains a withdrawn request.</summary>
    public static async ValueTask Propagate(ITwinPort port, NicId nic, IEnumerable<NicEvent> events, VmId? self, SriovBlocker withdrawReason)
    {
        foreach (var e in events)
        {
            switch (e)
            {
                case NicEvent.VfAllocated a when a.Cause != VfAllocationCause.Requested && a.Vnic.Vm != self:
                    await port.Notify(a.Vnic.Vm, new VmNotice.VfGranted(a.Vnic.Name, nic, a.VfIndex, a.Op));
                    break;
                case NicEvent.VfRevoked r when r.Vnic.Vm != self:
                    await port.Notify(r.Vnic.Vm, new VmNotice.VfLost(r.Vnic.Name, nic, r.Reason, r.Queued));
                    break;
                case NicEvent.VfRequestWithdrawn w when w.Vnic.Vm != self:
                    await port.Notify(w.Vnic.Vm, new VmNotice.VfLost(w.Vnic.Name, nic, withdrawReason, false));
                    break;
            }
        }
    }

    // ---------------- helpers ----------------

    /// <summary>What one vNIC's start needs: its switch, the PF behind it, and every blocker of the prerequisites.</summary>
    internal sealed record VnicPlan(VnicSpec Vnic, SwitchSnapshot? Switch, NicSnapshot? Nic, ValueList<SriovBlocker> Blockers);

    internal static async ValueTask<List<VnicPlan>> PlanVnics(ITwinPort port, VmSnapshot vm)
    {
        var host = await port.GetHost(vm.Host) ?? throw new DomainRuleViolated($"host {vm.Host} of VM {vm.Id} is not registered");
        var chipset = await port.GetChipset(ChipsetId.Of(vm.Host));
        var plans = new List<VnicPlan>();
        foreach (var v in vm.Vnics)
        {
            var sw = await port.GetSwitch(v.Spec.Switch);
            var nic = sw?.BoundNic is { } n ? await port.GetNic(n) : null;
            var blockers = v.Spec.WantsVf
                ? SriovPrerequisites.Check(HostFacts.Of(host), chipset?.Capabilities, sw is null ? null : SwitchFacts.Of(sw),
                    nic is null ? null : NicFacts.Of(nic), vm.Guest, v.Spec.IovWeight)
                : ValueList<SriovBlocker>.Empty;
            plans.Add(new VnicPlan(v.Spec, sw, nic, blockers));
        }
        return plans;
    }

    /// <summary>The PF each vNIC of the VM holds or might hold a VF on (its datapath's PF, else its switch's).</summary>
    internal static async ValueTask<List<(string Vnic, NicId Nic)>> NicsOf(ITwinPort port, VmSnapshot vm)
    {
        var result = new List<(string, NicId)>();
        foreach (var v in vm.Vnics)
        {
            if (v.Datapath.Nic is { } held) result.Add((v.Spec.Name, held));
            else if (v.Spec.WantsVf && await port.GetSwitch(v.Spec.Switch) is { BoundNic: { } bound }) result.Add((v.Spec.Name, bound));
        }
        return result;
    }

    /// <summary>vSphere: makes the VM's interrupt-vector reservation match the VFs it holds.</summary>
    internal static async ValueTask SyncInterruptVectors(ITwinPort port, VmId vmId)
    {
        var vm = await port.GetVm(vmId);
        if (vm is null || !PlatformRules.For(vm.Platform).HasInterruptVectorBudget) return;
        var vectors = 0;
        foreach (var v in vm.Vnics.Where(v => v.Datapath.Kind == DatapathKind.Vf))
            vectors += InterruptVectors.PerVf((await port.GetNic(v.Datapath.Nic!.Value))?.Vendor ?? NicVendor.Other);
        if (vectors == 0) await port.Host(new HostCommand.ReleaseInterruptVectors(vm.Host, vmId, port.Operation, port.Now));
        else await port.Host(new HostCommand.ReserveInterruptVectors(vm.Host, vmId, vectors, port.Operation, port.Now));
    }

    internal static VfSlotSnapshot? Held(NicSnapshot nic, VnicRef vnic) => nic.Slots.FirstOrDefault(s => s.Holder == vnic);

    private static int Free(NicSnapshot nic) => nic.Free;
}
