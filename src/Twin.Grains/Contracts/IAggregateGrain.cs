using Twin.Events.Chipsets;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Switches;

namespace Twin.Grains.Contracts;

/// <summary>A single writer of one aggregate's stream: decide → append at the expected version → evolve.</summary>
public interface IAggregateGrain<TCommand, TEvent, TSnapshot> : IGrainWithStringKey
{
    /// <summary>Runs one command. Business refusals come back as events; impossible commands throw
    /// <c>DomainRuleViolated</c>; a write conflict the grain could not resolve throws <c>StreamVersionConflict</c>.</summary>
    Task<CommandResult<TEvent>> Execute(TCommand command, CommandContext context);

    /// <summary>The state as a snapshot (for sagas; queries read Marten instead).</summary>
    [ReadOnly]
    Task<TSnapshot> GetSnapshot();
}

/// <summary>A host: registration, placement, the vSphere interrupt-vector budget, lifecycle.</summary>
public interface IHostGrain : IAggregateGrain<HostCommand, HostEvent, HostSnapshot>;

/// <summary>A host's chipset and firmware capabilities.</summary>
public interface IChipsetGrain : IAggregateGrain<ChipsetCommand, ChipsetEvent, ChipsetSnapshot>;

/// <summary>A NIC physical function and its VF pool: the only authority on who holds which VF.</summary>
public interface INicGrain : IAggregateGrain<NicCommand, NicEvent, NicSnapshot>;

/// <summary>A virtual switch.</summary>
public interface ISwitchGrain : IAggregateGrain<SwitchCommand, SwitchEvent, SwitchSnapshot>;
