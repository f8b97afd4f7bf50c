using Twin.Events.Common;
using Twin.Events.Platforms;

namespace Twin.Events.Hosts;

/// <summary>Commands to one host: registration, VM placement (cores and memory), the vSphere interrupt-vector
/// budget, and its lifecycle (maintenance, failure, reboot).</summary>
[GenerateSerializer, Immutable]
public abstract record HostCommand
{
    public abstract HostId Host { get; init; }

    /// <summary>Registers a host. <paramref name="MemoryMiB"/> in MiB. <paramref name="InterruptVectorBudget"/>:
    /// vectors available for passthrough (vSphere; null = the platform default).</summary>
    [GenerateSerializer, Immutable]
    public sealed record RegisterHost([property: Id(0)] HostId Host, [property: Id(1)] Platform Platform, [property: Id(2)] string Os,
        [property: Id(3)] int Cores, [property: Id(4)] long MemoryMiB, [property: Id(5)] string Cluster,
        [property: Id(6)] int? InterruptVectorBudget, [property: Id(7)] DateTimeOffset At) : HostCommand;

    /// <summary>The hypervisor was upgraded or a capture shows another release.</summary>
    [GenerateSerializer, Immutable]
    public sealed record ChangeHostOs([property: Id(0)] HostId Host, [property: Id(1)] string Os, [property: Id(2)] DateTimeOffset At) : HostCommand;

    /// <summary>Places a VM on the host. <paramref name="ReserveAllMemory"/>: the platform reserves all guest memory
    /// (vSphere and KVM with a passthrough device), so the memory is not overcommittable.</summary>
    [GenerateSerializer, Immutable]
    public sealed record PlaceVm([property: Id(0)] HostId Host, [property: Id(1)] VmId Vm, [property: Id(2)] int Vcpus,
        [property: Id(3)] long MemoryMiB, [property: Id(4)] bool ReserveAllMemory, [property: Id(5)] OperationId Op,
        [property: Id(6)] DateTimeOffset At) : HostCommand;

    [GenerateSerializer, Immutable]
    public sealed record RemoveVm([property: Id(0)] HostId Host, [property: Id(1)] VmId Vm, [property: Id(2)] OperationId Op,
        [property: Id(3)] DateTimeOffset At) : HostCommand;

    /// <summary>vSphere: interrupt vectors a VM's VFs consume when it powers on (3 per Intel VF, 2 per Emulex VF).</summary>
    [GenerateSerializer, Immutable]
    public sealed record ReserveInterruptVectors([property: Id(0)] HostId Host, [property: Id(1)] VmId Vm, [property: Id(2)] int Vectors,
        [property: Id(3)] OperationId Op, [property: Id(4)] DateTimeOffset At) : HostCommand;

    [GenerateSerializer, Immutable]
    public sealed record ReleaseInterruptVectors([property: Id(0)] HostId Host, [property: Id(1)] VmId Vm, [property: Id(2)] OperationId Op,
        [property: Id(3)] DateTimeOffset At) : HostCommand;

    [GenerateSerializer, Immutable]
    public sealed record SetMaintenance([property: Id(0)] HostId Host, [property: Id(1)] bool InMaintenance, [property: Id(2)] DateTimeOffset At) : HostCommand;

    [GenerateSerializer, Immutable]
    public sealed record FailHost([property: Id(0)] HostId Host, [property: Id(1)] OperationId Op, [property: Id(2)] DateTimeOffset At) : HostCommand;

    [GenerateSerializer, Immutable]
    public sealed record RepairHost([property: Id(0)] HostId Host, [property: Id(1)] OperationId Op, [property: Id(2)] DateTimeOffset At) : HostCommand;

    /// <summary>Reboots the host: pending NIC configurations take effect (the saga applies them to each NIC).</summary>
    [GenerateSerializer, Immutable]
    public sealed record RebootHost([property: Id(0)] HostId Host, [property: Id(1)] OperationId Op, [property: Id(2)] DateTimeOffset At) : HostCommand;

    private HostCommand() { }
}
