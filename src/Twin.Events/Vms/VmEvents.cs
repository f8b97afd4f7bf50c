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
    public sealed record VmDefined(VmId Vm, HostId Host, Platform Platform,
        GuestOs Guest, int Vcpus, long MemoryMiB,
        ValueList<VnicSpec> Vnics, DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VnicAdded(VmId Vm, VnicSpec Vnic, DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VnicRemoved(VmId Vm, string Name, DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record IovWeightChanged(VmId Vm, string Name, int From,
        int To, OperationId Op, DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VfRequested(VmId Vm, string Name, OperationId Op,
        DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VmStartRequested(VmId Vm, HostId Host, OperationId Op,
        DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VnicDatapathChanged(VmId Vm, string Name, Datapath From,
        Datapath To, OperationId Op, DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VmStarted(VmId Vm, HostId Host, OperationId Op,
        DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VmStartFailed(VmId Vm, SriovBlocker? Reason, string Detail,
        OperationId Op, DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VmStopRequested(VmId Vm, OperationId Op, DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VmStopped(VmId Vm, OperationId Op, DateTimeOffset At) : VmEvent;

    /// <summary>A live migration began; <paramref name="SourceVfs"/> are the VFs held on the source (kept until the move ends).</summary>
    [GenerateSerializer, Immutable]
    public sealed record VmMigrationStarted(VmId Vm, HostId From, HostId To,
        ValueList<VfHolding> SourceVfs, OperationId Op, DateTimeOffset At) : VmEvent;

    /// <summary>The platform refuses to migrate this VM (vSphere: no vMotion for SR-IOV VMs).</summary>
    [GenerateSerializer, Immutable]
    public sealed record VmMigrationRejected(VmId Vm, HostId To, string Reason,
        OperationId Op, DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record DestinationVfClaimed(VmId Vm, string Name, Datapath Datapath,
        OperationId Op, DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VmMigrated(VmId Vm, HostId From, HostId To,
        OperationId Op, DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record SourceVfReleased(VmId Vm, string Name, NicId Nic,
        int VfIndex, OperationId Claim, OperationId Op, DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VmMigrationAborted(VmId Vm, string Reason, OperationId Op,
        DateTimeOffset At) : VmEvent;

    [GenerateSerializer, Immutable]
    public sealed record VmDeleted(VmId Vm, OperationId Op, DateTimeOffset At) : VmEvent;

    private VmEvent() { }
}
