using Twin.Events.Chipsets;
using Orleans.Concurrency;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Sagas;
using Twin.Events.Switches;
using Twin.Events.Vms;

namespace Twin.Grains.Contracts;

/// <summary>The single writer of one aggregate's stream: decide → append at the expected version → evolve.</summary>
public interface IAggregateGrain<TCommand, TEvent, TSnapshot> : IGrainWithStringKey
    where TSnapshot : ISnapshot
{
    /// <summary>Runs one command. Business refusals come back as events; impossible commands throw
    /// <see cref="DomainRuleViolated"/>; a write conflict the grain could not resolve throws a stream version conflict.</summary>
    Task<CommandResult<TEvent, TSnapshot>> Execute(TCommand command, CommandContext context);

    /// <summary>The state as a snapshot, or null when the aggregate does not exist (for sagas; queries read Marten).</summary>
    [ReadOnly]
    Task<TSnapshot?> GetSnapshot();
}

/// <summary>A host: registration, placement, the vSphere interrupt-vector budget, lifecycle.</summary>
public interface IHostGrain : IAggregateGrain<HostCommand, HostEvent, HostSnapshot>;

/// <summary>A host's chipset and firmware capabilities.</summary>
public interface IChipsetGrain : IAggregateGrain<ChipsetCommand, ChipsetEvent, ChipsetSnapshot>;

/// <summary>A NIC physical function and its VF pool: the only authority on who holds which VF.</summary>
public interface INicGrain : IAggregateGrain<NicCommand, NicEvent, NicSnapshot>;

/// <summary>A virtual switch.</summary>
public interface ISwitchGrain : IAggregateGrain<SwitchCommand, SwitchEvent, SwitchSnapshot>;

/// <summary>A VM and its vNICs; it runs its own sagas (start, stop, migrate, SR-IOV on a vNIC) and resumes an
/// interrupted one when it is activated again (a reminder guarantees that).</summary>
public interface IVmGrain : IAggregateGrain<VmCommand, VmEvent, VmSnapshot>
{
    Task<SagaOutcome> Start(CommandContext context);
    Task<SagaOutcome> Stop(CommandContext context);
    Task<SagaOutcome> Migrate(HostId destination, CommandContext context);
    Task<SagaOutcome> SetIovWeight(string vnic, int weight, CommandContext context);
    Task<SagaOutcome> RequestVf(string vnic, CommandContext context);

    /// <summary>Something happened to one of this VM's vNICs (delivered without the sender waiting).</summary>
    [OneWay]
    Task Notify(VmNotice notice, CommandContext context);

    /// <summary>Resumes the open saga, if any (what the reminder and activation do).</summary>
    Task<SagaOutcome?> Resume();
}
