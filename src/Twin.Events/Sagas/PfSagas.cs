using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Switches;
using Twin.Events.Vms;

namespace Twin.Events.Sagas;

/// <summary>
/// Changes to a PF, a switch or a host that affect the VMs using them: every holder affected gets its events
/// (revocation, fallback to synthetic, a VF handed over) as part of the same operation.
/// </summary>
public static class PfSagas
{
    /// <summary>Runs a configuration command on a PF (enable, disable, set the VF count, fail, repair, apply a pending
    /// change) and tells every affected VM what happened to its vNICs.</summary>
    public static async ValueTask<CommandResult<NicEvent, NicSnapshot>> Configure(ITwinPort port, NicCommand command)
    {
        var result = await port.Nic(command);
        var reason = command switch
        {
            NicCommand.FailNic => SriovBlocker.NicFailed,
            NicCommand.DisableSriov => SriovBlocker.SriovDisabledByOperator,
            _ => SriovBlocker.VfCountChanged,
        };
        await VmSagas.Propagate(port, command.Nic, result.Events, null, reason);
        return result;
    }

    /// <summary>Recreates a switch with another IOV mode (the plan Hyper-V offers instead of enabling IOV in place):
    /// every vNIC on it is disconnected — losing any VF it held through the switch — then reconnected, and a running
    /// vNIC that wants a VF asks for one again.</summary>
    public static async ValueTask<SagaOutcome> RecreateSwitch(ITwinPort port, SwitchId switchId, bool iov)
    {
        var op = port.Operation;
        var recreated = await port.Switch(new SwitchCommand.RecreateSwitch(switchId, iov, op, port.Now));
        var disconnected = recreated.Events.OfType<SwitchEvent.SwitchRecreated>().SingleOrDefault()?.Disconnected ?? ValueList<VnicRef>.Empty;
        var regained = 0;
        foreach (var vnic in disconnected)
        {
            var vm = await port.GetVm(vnic.Vm);
            var v = vm?.Vnics.FirstOrDefault(x => x.Spec.Name == vnic.Name);
            if (vm is null || v is null) continue;
            if (v.Datapath.Nic is { } held)
            {
                var released = await port.Nic(new NicCommand.ReleaseVf(held, vnic, v.Datapath.Claim, op, port.Now));
                await VmSagas.Propagate(port, held, released.Events, vnic.Vm, SriovBlocker.VfPoolExhausted);
            }
            else if (recreated.Snapshot.BoundNic is { } bound)
                await port.Nic(new NicCommand.ReleaseVf(bound, vnic, OperationId.None, op, port.Now)); // stop waiting through the old switch
            var running = vm.Status == VmStatus.Running;
            if (running)
                await port.Vm(new VmCommand.RecordDatapath(vnic.Vm, vnic.Name, Datapath.Disconnected(SriovBlocker.SwitchRecreated), op, port.Now));
            await port.Switch(new SwitchCommand.ConnectPort(switchId, vnic, port.Now));
            if (!running) continue;
            if (v.Spec.WantsVf)
            {
                // the same per-vNIC step as enabling SR-IOV on a running vNIC
                var asked = await port.Vm(new VmCommand.RequestVf(vnic.Vm, vnic.Name, op, port.Now));
                if ((await VmSagas.ContinueVnicStep(port, asked.Snapshot, vnic.Name)).Succeeded) regained++;
            }
            else await port.Vm(new VmCommand.RecordDatapath(vnic.Vm, vnic.Name, Datapath.Synthetic(), op, port.Now));
        }
        return SagaOutcome.Done($"switch {switchId} recreated with IOV {(iov ? "on" : "off")}: {disconnected.Count} vNIC(s) disconnected and reconnected, {regained} back on a VF", op);
    }

    /// <summary>Reboots a host: its running VMs are stopped first (their VFs freed), then each PF's pending
    /// configuration (vSphere) takes effect.</summary>
    public static async ValueTask<SagaOutcome> RebootHost(ITwinPort port, HostId host, IEnumerable<VmId> vmsOnHost, IEnumerable<NicId> nicsOnHost)
    {
        var stopped = 0;
        foreach (var vm in vmsOnHost)
            if (await port.GetVm(vm) is { Status: not VmStatus.Off and not VmStatus.Deleted } && (await VmSagas.Stop(port, vm)).Succeeded) stopped++;
        await port.Host(new HostCommand.RebootHost(host, port.Operation, port.Now));
        var applied = 0;
        foreach (var nic in nicsOnHost)
            if ((await Configure(port, new NicCommand.ApplyPendingConfiguration(nic, port.Operation, port.Now))).Events.Length > 0) applied++;
        return SagaOutcome.Done($"host {host} rebooted: {stopped} VM(s) stopped, {applied} pending PF configuration(s) applied", port.Operation);
    }
}
