using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Sagas;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Grains.Contracts;

namespace Twin.Grains.Sagas;

/// <summary>
/// The live twin as a saga port: every command goes to the single-writer grain of its aggregate. A VM grain running
/// its own saga passes itself as <paramref name="self"/>, so its own commands run in its current turn instead of as a
/// call to itself (which a non-reentrant grain would never answer). Notices are one-way calls: never awaited, so two
/// VMs notifying each other cannot deadlock.
/// </summary>
internal sealed class GrainTwinPort(
    IGrainFactory grains, CommandContext context, TimeProvider clock, ISagaFaults faults, GrainTwinPort.SelfVm? self = null) : ITwinPort
{
    /// <summary>The VM whose grain runs the saga.</summary>
    internal sealed record SelfVm(
        VmId Id,
        Func<VmCommand, CommandContext, Task<CommandResult<VmEvent, VmSnapshot>>> Execute,
        Func<VmSnapshot?> Snapshot);

    public OperationId Operation => context.Operation;
    public DateTimeOffset Now => clock.GetUtcNow();

    public async ValueTask<CommandResult<HostEvent, HostSnapshot>> Host(HostCommand c)
    {
        await faults.Before($"Host.{c.GetType().Name}", Operation);
        return await grains.GetGrain<IHostGrain>(c.Host.Value).Execute(c, context);
    }

    public async ValueTask<CommandResult<NicEvent, NicSnapshot>> Nic(NicCommand c)
    {
        await faults.Before($"Nic.{c.GetType().Name}", Operation);
        return await grains.GetGrain<INicGrain>(c.Nic.Value).Execute(c, context);
    }

    public async ValueTask<CommandResult<SwitchEvent, SwitchSnapshot>> Switch(SwitchCommand c)
    {
        await faults.Before($"Switch.{c.GetType().Name}", Operation);
        return await grains.GetGrain<ISwitchGrain>(c.Switch.Value).Execute(c, context);
    }

    public async ValueTask<CommandResult<VmEvent, VmSnapshot>> Vm(VmCommand c)
    {
        await faults.Before($"Vm.{c.GetType().Name}", Operation);
        return self is not null && c.Vm == self.Id
            ? await self.Execute(c, context)
            : await grains.GetGrain<IVmGrain>(c.Vm.Value).Execute(c, context);
    }

    public async ValueTask<HostSnapshot?> GetHost(HostId id) => await grains.GetGrain<IHostGrain>(id.Value).GetSnapshot();
    public async ValueTask<ChipsetSnapshot?> GetChipset(ChipsetId id) => await grains.GetGrain<IChipsetGrain>(id.Value).GetSnapshot();
    public async ValueTask<NicSnapshot?> GetNic(NicId id) => await grains.GetGrain<INicGrain>(id.Value).GetSnapshot();
    public async ValueTask<SwitchSnapshot?> GetSwitch(SwitchId id) => await grains.GetGrain<ISwitchGrain>(id.Value).GetSnapshot();

    public async ValueTask<VmSnapshot?> GetVm(VmId id) =>
        self is not null && id == self.Id ? self.Snapshot() : await grains.GetGrain<IVmGrain>(id.Value).GetSnapshot();

    public ValueTask Notify(VmId vm, VmNotice notice) =>
        new(grains.GetGrain<IVmGrain>(vm.Value).Notify(notice, context with { Causation = context.Operation }));

    public ValueTask Checkpoint(string step) => faults.Before(step, Operation);
}
