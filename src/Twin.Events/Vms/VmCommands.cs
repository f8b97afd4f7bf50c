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
    public sealed record DefineVm([property: Id(0)] VmId Vm, [property: Id(1)] HostId Host, [property: Id(2)] Platform Platform,
        [property: Id(3)] GuestOs Guest, [property: Id(4)] int Vcpus, [property: Id(5)] long MemoryMiB,
        [property: Id(6)] ValueList<VnicSpec> Vnics, [property: Id(7)] DateTimeOffset At) : VmCommand;

    [GenerateSerializer, Immutable]
    public sealed record AddVnic([property: Id(0)] VmId Vm, [property: Id(1)] VnicSpec Vnic, [property: Id(2)] DateTimeOffset At) : VmCommand;

    [GenerateSerializer, Immutable]
    public sealed record RemoveVnic([property: Id(0)] VmId Vm, [property: Id(1)] string Name, [property: Id(2)] DateTimeOffset At) : VmCommand;

    /// <summary>"Enable SR-IOV" on a vNIC (weight 1–100) or disable it (0). On a running VM this opens a VF
    /// assignment (or release) step recorded under <paramref name="Op"/>.</summary>
    [GenerateSerializer, Immutable]
    public sealed record SetIovWeight([property: Id(0)] VmId Vm, [property: Id(1)] string Name, [property: Id(2)] int IovWeight,
        [property: Id(3)] OperationId Op, [property: Id(4)] DateTimeOffset At) : VmCommand;

    /// <summary>Asks again for a VF for a running vNIC that wants one and has none (after its switch was recreated,
    /// its PF was repaired, ...): opens a VF assignment step.</summary>
    [GenerateSerializer, Immutable]
    public sealed record RequestVf([property: Id(0)] VmId Vm, [property: Id(1)] string Name, [property: Id(2)] OperationId Op,
        [property: Id(3)] DateTimeOffset At) : VmCommand;

    [GenerateSerializer, Immutable]
    public sealed record BeginStart([property: Id(0)] VmId Vm, [property: Id(1)] OperationId Op, [property: Id(2)] DateTimeOffset At) : VmCommand;

    /// <summary>Records the datapath a vNIC got (a VF the NIC granted, or synthetic/disconnected with the reason).</summary>
    [GenerateSerializer, Immutable]
    public sealed record RecordDatapath([property: Id(0)] VmId Vm, [property: Id(1)] string Name, [property: Id(2)] Datapath Datapath,
        [property: Id(3)] OperationId Op, [property: Id(4)] DateTimeOffset At) : VmCommand;

    [GenerateSerializer, Immutable]
    public sealed record CompleteStart([property: Id(0)] VmId Vm, [property: Id(1)] OperationId Op, [property: Id(2)] DateTimeOffset At) : VmCommand;

    /// <summary>The start failed (vSphere power-on refused, KVM start failed atomically, host refused).</summary>
    [GenerateSerializer, Immutable]
    public sealed record FailStart([property: Id(0)] VmId Vm, [property: Id(1)] SriovBlocker? Reason, [property: Id(2)] string Detail,
        [property: Id(3)] OperationId Op, [property: Id(4)] DateTimeOffset At) : VmCommand;

    [GenerateSerializer, Immutable]
    public sealed record BeginStop([property: Id(0)] VmId Vm, [property: Id(1)] OperationId Op, [property: Id(2)] DateTimeOffset At) : VmCommand;

    [GenerateSerializer, Immutable]
    public sealed record CompleteStop([property: Id(0)] VmId Vm, [property: Id(1)] OperationId Op, [property: Id(2)] DateTimeOffset At) : VmCommand;

    /// <summary>Opens a live migration to <paramref name="Destination"/> (refused up front where the platform refuses).</summary>
    [GenerateSerializer, Immutable]
    public sealed record BeginMigration([property: Id(0)] VmId Vm, [property: Id(1)] HostId Destination, [property: Id(2)] OperationId Op,
        [property: Id(3)] DateTimeOffset At) : VmCommand;

    /// <summary>Records what the destination gave a vNIC: a claimed VF, or none (it will run synthetic there).</summary>
    [GenerateSerializer, Immutable]
    public sealed record RecordDestinationClaim([property: Id(0)] VmId Vm, [property: Id(1)] string Name, [property: Id(2)] Datapath Datapath,
        [property: Id(3)] OperationId Op, [property: Id(4)] DateTimeOffset At) : VmCommand;

    /// <summary>The move is done: the VM runs on the destination with the datapaths claimed there; its source VFs
    /// are still to be freed (recorded one by one with <see cref="RecordSourceRelease"/>).</summary>
    [GenerateSerializer, Immutable]
    public sealed record CompleteMigration([property: Id(0)] VmId Vm, [property: Id(1)] OperationId Op, [property: Id(2)] DateTimeOffset At) : VmCommand;

    /// <summary>After the move: the source VF of <paramref name="Name"/> was freed on its PF.</summary>
    [GenerateSerializer, Immutable]
    public sealed record RecordSourceRelease([property: Id(0)] VmId Vm, [property: Id(1)] string Name, [property: Id(2)] OperationId Op,
        [property: Id(3)] DateTimeOffset At) : VmCommand;

    /// <summary>The move failed; destination claims are released and the VM keeps its source VFs.</summary>
    [GenerateSerializer, Immutable]
    public sealed record AbortMigration([property: Id(0)] VmId Vm, [property: Id(1)] string Reason, [property: Id(2)] OperationId Op,
        [property: Id(3)] DateTimeOffset At) : VmCommand;

    [GenerateSerializer, Immutable]
    public sealed record DeleteVm([property: Id(0)] VmId Vm, [property: Id(1)] OperationId Op, [property: Id(2)] DateTimeOffset At) : VmCommand;

    private VmCommand() { }
}
