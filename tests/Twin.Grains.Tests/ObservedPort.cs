using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Sagas;
using Twin.Events.Switches;
using Twin.Events.Vms;

namespace Twin.Grains.Tests;

/// <summary>A live port that lets a test see when a saga reads a VM (to line a race up deterministically). Every
/// call still goes to the grains.</summary>
internal sealed class ObservedPort(ITwinPort inner, Func<VmId, ValueTask> beforeGetVm) : ITwinPort
{
    public OperationId Operation => inner.Operation;
    public DateTimeOffset Now => inner.Now;
    public ValueTask<CommandResult<HostEvent, HostSnapshot>> Host(HostCommand c) => inner.Host(c);
    public ValueTask<CommandResult<NicEvent, NicSnapshot>> Nic(NicCommand c) => inner.Nic(c);
    public ValueTask<CommandResult<SwitchEvent, SwitchSnapshot>> Switch(SwitchCommand c) => inner.Switch(c);
    public ValueTask<CommandResult<VmEvent, VmSnapshot>> Vm(VmCommand c) => inner.Vm(c);
    public ValueTask<HostSnapshot?> GetHost(HostId id) => inner.GetHost(id);
    public ValueTask<ChipsetSnapshot?> GetChipset(ChipsetId id) => inner.GetChipset(id);
    public ValueTask<NicSnapshot?> GetNic(NicId id) => inner.GetNic(id);
    public ValueTask<SwitchSnapshot?> GetSwitch(SwitchId id) => inner.GetSwitch(id);

    public async ValueTask<VmSnapshot?> GetVm(VmId id)
    {
        await beforeGetVm(id);
        return await inner.GetVm(id);
    }

    public ValueTask Notify(VmId vm, VmNotice notice) => inner.Notify(vm, notice);
    public ValueTask Checkpoint(string step) => inner.Checkpoint(step);
}
