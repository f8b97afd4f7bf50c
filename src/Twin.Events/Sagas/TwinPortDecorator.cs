using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Switches;
using Twin.Events.Vms;

namespace Twin.Events.Sagas;

/// <summary>A port that passes every call to <see cref="Inner"/>: a decorator overrides only what it watches or
/// changes (the rehearsal's tracking of the streams a step read, a test's fault or observation).</summary>
public abstract class TwinPortDecorator(ITwinPort inner) : ITwinPort
{
    protected ITwinPort Inner { get; } = inner;

    public virtual OperationId Operation => Inner.Operation;
    public virtual DateTimeOffset Now => Inner.Now;
    public virtual ValueTask<CommandResult<HostEvent, HostSnapshot>> Host(HostCommand command) => Inner.Host(command);
    public virtual ValueTask<CommandResult<NicEvent, NicSnapshot>> Nic(NicCommand command) => Inner.Nic(command);
    public virtual ValueTask<CommandResult<SwitchEvent, SwitchSnapshot>> Switch(SwitchCommand command) => Inner.Switch(command);
    public virtual ValueTask<CommandResult<VmEvent, VmSnapshot>> Vm(VmCommand command) => Inner.Vm(command);
    public virtual ValueTask<HostSnapshot?> GetHost(HostId id) => Inner.GetHost(id);
    public virtual ValueTask<ChipsetSnapshot?> GetChipset(ChipsetId id) => Inner.GetChipset(id);
    public virtual ValueTask<NicSnapshot?> GetNic(NicId id) => Inner.GetNic(id);
    public virtual ValueTask<SwitchSnapshot?> GetSwitch(SwitchId id) => Inner.GetSwitch(id);
    public virtual ValueTask<VmSnapshot?> GetVm(VmId id) => Inner.GetVm(id);
    public virtual ValueTask Notify(VmId vm, VmNotice notice) => Inner.Notify(vm, notice);
    public virtual ValueTask Checkpoint(string step) => Inner.Checkpoint(step);
}
