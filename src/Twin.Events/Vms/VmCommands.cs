using Twin.Events.Common;
using Twin.Events.Platforms;

namespace Twin.Events.Vms;

/// <summary>Commands to a VM. Start, stop and migration are sagas whose progress the VM stream records: the
/// <c>Begin…</c> command opens the operation, <c>Record…</c> commands record each step, and a <c>Complete…</c>,
/// <c>Fail…</c> or <c>Abort…</c> command closes it. Every step is idempotent on the operation id.</summary>
[GenerateSerializer, Immutable]
public abstract record VmCommand
{
    public abstract VmId Vm { get; init; }

    [GenerateSerializer, Immutable]
    public sealed record DefineVm(VmId Vm, HostId Host, Platform Platform,
        GuestOs Guest, int Vcpus, long MemoryMiB,
        ValueList<VnicSpec> Vnics, DateTimeOffset At) : VmCommand;

    [GenerateSerializer, Immutable]
    public sealed record AddVnic(VmId Vm, VnicSpec Vnic, DateTimeOffset At) : VmCommand;

    [GenerateSerializer, Immutable]
    public sealed record RemoveVnic(VmId Vm, string Name, DateTimeOffset At) : VmCommand;

    /// <summary>"Enable SR-IOV" on a vNIC (weight 1–100) or disable it (0). On a running VM this opens a VF
    /// assignment (or release) step recorded under <paramref name="Op"/>.</summary>
    [GenerateSerializer, Immutable]
    public sealed record SetIovWeight(VmId Vm, string Name, int IovWeight,
        OperationId Op, DateTimeOffset At) : VmCommand;

    /// <summary>Asks again for a VF for a running vNIC that wants one and has none (after its switch was recreated,
    /// its PF was repaired, ...): opens a VF assignment step.</summary>
    [GenerateSerializer, Immutable]
    public sealed record RequestVf(VmId Vm, string Name, OperationId Op,
        DateTimeOffset At) : VmCommand;

    [GenerateSerializer, Immutable]
    public sealed record BeginStart(VmId Vm, OperationId Op, DateTimeOffset At) : VmCommand;

    /// <summary>Records the datapath a vNIC got (a VF the NIC granted, or synthetic/disconnected with the reason).</summary>
    [GenerateSerializer, Immutable]
    public sealed record RecordDatapath(VmId Vm, string Name, Datapath Datapath,
        OperationId Op, DateTimeOffset At) : VmCommand;

    [GenerateSerializer, Immutable]
    public sealed record CompleteStart(VmId Vm, OperationId Op, DateTimeOffset At) : VmCommand;

    /// <summary>The start failed (vSphere power-on refused, KVM start failed atomically, host refused).</summary>
    [GenerateSerializer, Immutable]
    public sealed record FailStart(VmId Vm, SriovBlocker? Reason, string Detail,
        OperationId Op, DateTimeOffset At) : VmCommand;

    [GenerateSerializer, Immutable]
    public sealed record BeginStop(VmId Vm, OperationId Op, DateTimeOffset At) : VmCommand;

    [GenerateSerializer, Immutable]
    public sealed record CompleteStop(VmId Vm, OperationId Op, DateTimeOffset At) : VmCommand;

    /// <summary>Opens a live migration to <paramref name="Destination"/> (refused up front where the platform refuses).</summary>
    [GenerateSerializer, Immutable]
    public sealed record BeginMigration(VmId Vm, HostId Destination, OperationId Op,
        DateTimeOffset At) : VmCommand;

    /// <summary>Records what the destination gave a vNIC: a claimed VF, or none (it will run synthetic there).</summary>
    [GenerateSerializer, Immutable]
    public sealed record RecordDestinationClaim(VmId Vm, string Name, Datapath Datapath,
        OperationId Op, DateTimeOffset At) : VmCommand;

    /// <summary>The move is done: the VM runs on the destination with the datapaths claimed there; its source VFs
    /// are still to be freed (recorded one by one with <see cref="RecordSourceRelease"/>).</summary>
    [GenerateSerializer, Immutable]
    public sealed record CompleteMigration(VmId Vm, OperationId Op, DateTimeOffset At) : VmCommand;

    /// <summary>After the move: the source VF of <paramref name="Name"/> was freed on its PF.</summary>
    [GenerateSerializer, Immutable]
    public sealed record RecordSourceRelease(VmId Vm, string Name, OperationId Op,
        DateTimeOffset At) : VmCommand;

    /// <summary>The move failed; destination claims are released and the VM keeps its source VFs.</summary>
    [GenerateSerializer, Immutable]
    public sealed record AbortMigration(VmId Vm, string Reason, OperationId Op,
        DateTimeOffset At) : VmCommand;

    [GenerateSerializer, Immutable]
    public sealed record DeleteVm(VmId Vm, OperationId Op, DateTimeOffset At) : VmCommand;

    private VmCommand() { }
}
