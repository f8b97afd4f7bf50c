using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Hosts;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Switches;
using Twin.Events.Vms;

namespace Twin.Events.Sagas;

/// <summary>What a command did: the events appended (none for an idempotent retry) and the state after, as a snapshot.</summary>
[GenerateSerializer, Immutable]
public sealed record CommandResult<TEvent, TSnapshot>(TEvent[] Events, TSnapshot Snapshot)
    where TSnapshot : ISnapshot;

/// <summary>Something that happened to a VM's vNIC because of another aggregate's change.</summary>
[GenerateSerializer, Immutable]
public abstract record VmNotice
{
    public abstract string Vnic { get; init; }

    /// <summary>The PF gave the (waiting) vNIC VF <paramref name="VfIndex"/> under claim <paramref name="Claim"/>.</summary>
    [GenerateSerializer, Immutable]
    public sealed record VfGranted(string Vnic, NicId Nic, int VfIndex,
        OperationId Claim) : VmNotice;

    /// <summary>The vNIC lost its VF, or stopped waiting for one, for <paramref name="Reason"/>.</summary>
    [GenerateSerializer, Immutable]
    public sealed record VfLost(string Vnic, NicId Nic, SriovBlocker Reason,
        bool StillWaiting) : VmNotice;

    private VmNotice() { }
}

/// <summary>
/// The sagas' view of the twin: run a command on one aggregate (its single writer decides, appends and evolves) and
/// read an aggregate's snapshot. The live twin implements it with Orleans grains over Marten; the rehearsal and the
/// simulator implement it in memory over the same deciders. Every call made through one port belongs to one operation.
/// </summary>
public interface ITwinPort
{
    /// <summary>The operation every command of this saga is part of.</summary>
    OperationId Operation { get; }

    /// <summary>The current time (the edge's clock, or the simulation clock).</summary>
    DateTimeOffset Now { get; }

    ValueTask<CommandResult<HostEvent, HostSnapshot>> Host(HostCommand command);
    ValueTask<CommandResult<NicEvent, NicSnapshot>> Nic(NicCommand command);
    ValueTask<CommandResult<SwitchEvent, SwitchSnapshot>> Switch(SwitchCommand command);
    ValueTask<CommandResult<VmEvent, VmSnapshot>> Vm(VmCommand command);

    ValueTask<HostSnapshot?> GetHost(HostId id);
    ValueTask<ChipsetSnapshot?> GetChipset(ChipsetId id);
    ValueTask<NicSnapshot?> GetNic(NicId id);
    ValueTask<SwitchSnapshot?> GetSwitch(SwitchId id);
    ValueTask<VmSnapshot?> GetVm(VmId id);

    /// <summary>Tells another VM what happened to one of its vNICs (a VF handed over, revoked, a switch recreated).
    /// Delivered eventually, never awaited inside the caller's saga (two VMs notifying each other must not deadlock);
    /// the VM handles it with <see cref="VmSagas.HandleNotice"/>.</summary>
    ValueTask Notify(VmId vm, VmNotice notice);

    /// <summary>A named point between two steps of a saga (e.g. "migration.copy" where the memory copy happens).
    /// The live port uses it for fault injection; in-memory ports do nothing.</summary>
    ValueTask Checkpoint(string step);
}
