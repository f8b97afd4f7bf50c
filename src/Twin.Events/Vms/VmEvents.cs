using Twin.Events.Common;
using Twin.Events.Platforms;

namespace Twin.Events.Vms;

/// <summary>Facts about a VM and its vNICs.</summary>
[GenerateSerializer, Immutable]
public abstract record VmEvent
{
    public abstract VmId Vm { get; init; }
    public abstract DateTimeOffset At { get; init; }

    [GenerateSerializer, Immutable]
    public sealed record VmDefined([property: Id(0)] VmId Vm, [property: Id(1)] HostId Host, [property: Id(2)] Platform Platform,
        [property: Id(3)] GuestOs Guest, [property: Id(4)] int Vcpus, [property: Id(5)] long MemoryMiB,
        [property: Id(6)] ValueList<VnicSpec> Vnics, [property: Id(7)] DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VnicAdded([property: Id(0)] VmId Vm, [property: Id(1)] VnicSpec Vnic, [property: Id(2)] DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VnicRemoved([property: Id(0)] VmId Vm, [property: Id(1)] string Name, [property: Id(2)] DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record IovWeightChanged([property: Id(0)] VmId Vm, [property: Id(1)] string Name, [property: Id(2)] int From,
        [property: Id(3)] int To, [property: Id(4)] OperationId Op, [property: Id(5)] DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VfRequested([property: Id(0)] VmId Vm, [property: Id(1)] string Name, [property: Id(2)] OperationId Op,
        [property: Id(3)] DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VmStartRequested([property: Id(0)] VmId Vm, [property: Id(1)] HostId Host, [property: Id(2)] OperationId Op,
        [property: Id(3)] DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VnicDatapathChanged([property: Id(0)] VmId Vm, [property: Id(1)] string Name, [property: Id(2)] Datapath From,
        [property: Id(3)] Datapath To, [property: Id(4)] OperationId Op, [property: Id(5)] DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VmStarted([property: Id(0)] VmId Vm, [property: Id(1)] HostId Host, [property: Id(2)] OperationId Op,
        [property: Id(3)] DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VmStartFailed([property: Id(0)] VmId Vm, [property: Id(1)] SriovBlocker? Reason, [property: Id(2)] string Detail,
        [property: Id(3)] OperationId Op, [property: Id(4)] DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VmStopRequested([property: Id(0)] VmId Vm, [property: Id(1)] OperationId Op, [property: Id(2)] DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VmStopped([property: Id(0)] VmId Vm, [property: Id(1)] OperationId Op, [property: Id(2)] DateTimeOffset At) : VmEvent;

    /// <summary>A live migration began; <paramref name="SourceVfs"/> are the VFs held on the source (kept until the move ends).</summary>
    [GenerateSerializer, Immutable]
    public sealed record VmMigrationStarted([property: Id(0)] VmId Vm, [property: Id(1)] HostId From, [property: Id(2)] HostId To,
        [property: Id(3)] ValueList<VfHolding> SourceVfs, [property: Id(4)] OperationId Op, [property: Id(5)] DateTimeOffset At) : VmEvent;

    /// <summary>The platform refuses to migrate this VM (vSphere: no vMotion for SR-IOV VMs).</summary>
    [GenerateSerializer, Immutable]
    public sealed record VmMigrationRejected([property: Id(0)] VmId Vm, [property: Id(1)] HostId To, [property: Id(2)] string Reason,
        [property: Id(3)] OperationId Op, [property: Id(4)] DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record DestinationVfClaimed([property: Id(0)] VmId Vm, [property: Id(1)] string Name, [property: Id(2)] Datapath Datapath,
        [property: Id(3)] OperationId Op, [property: Id(4)] DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VmMigrated([property: Id(0)] VmId Vm, [property: Id(1)] HostId From, [property: Id(2)] HostId To,
        [property: Id(3)] OperationId Op, [property: Id(4)] DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record SourceVfReleased([property: Id(0)] VmId Vm, [property: Id(1)] string Name, [property: Id(2)] NicId Nic,
        [property: Id(3)] int VfIndex, [property: Id(4)] OperationId Claim, [property: Id(5)] OperationId Op, [property: Id(6)] DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VmMigrationAborted([property: Id(0)] VmId Vm, [property: Id(1)] string Reason, [property: Id(2)] OperationId Op,
        [property: Id(3)] DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VmDeleted([property: Id(0)] VmId Vm, [property: Id(1)] OperationId Op, [property: Id(2)] DateTimeOffset At) : VmEvent;

    private VmEvent() { }
}
