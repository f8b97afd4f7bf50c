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
    public sealed record RegisterHost(HostId Host, Platform Platform, string Os,
        int Cores, long MemoryMiB, string Cluster,
        int? InterruptVectorBudget, DateTimeOffset At) : HostCommand;

    /// <summary>The hypervisor was upgraded or a capture shows another release.</summary>
    [GenerateSerializer, Immutable]
    public sealed record ChangeHostOs(HostId Host, string Os, DateTimeOffset At) : HostCommand;

    /// <summary>Places a VM on the host. <paramref name="ReserveAllMemory"/>: the platform reserves all guest memory
    /// (vSphere and KVM with a passthrough device), so the memory is not overcommittable.</summary>
    [GenerateSerializer, Immutable]
    public sealed record PlaceVm(HostId Host, VmId Vm, int Vcpus,
        long MemoryMiB, bool ReserveAllMemory, OperationId Op,
        DateTimeOffset At) : HostCommand;

    [GenerateSerializer, Immutable]
    public sealed record RemoveVm(HostId Host, VmId Vm, OperationId Op,
        DateTimeOffset At) : HostCommand;

    /// <summary>vSphere: interrupt vectors a VM's VFs consume when it powers on (3 per Intel VF, 2 per Emulex VF).</summary>
    [GenerateSerializer, Immutable]
    public sealed record ReserveInterruptVectors(HostId Host, VmId Vm, int Vectors,
        OperationId Op, DateTimeOffset At) : HostCommand;

    [GenerateSerializer, Immutable]
    public sealed record ReleaseInterruptVectors(HostId Host, VmId Vm, OperationId Op,
        DateTimeOffset At) : HostCommand;

    [GenerateSerializer, Immutable]
    public sealed record SetMaintenance(HostId Host, bool InMaintenance, DateTimeOffset At) : HostCommand;

    [GenerateSerializer, Immutable]
    public sealed record FailHost(HostId Host, OperationId Op, DateTimeOffset At) : HostCommand;

    [GenerateSerializer, Immutable]
    public sealed record RepairHost(HostId Host, OperationId Op, DateTimeOffset At) : HostCommand;

    /// <summary>Reboots the host: pending NIC configurations take effect (the saga applies them to each NIC).</summary>
    [GenerateSerializer, Immutable]
    public sealed record RebootHost(HostId Host, OperationId Op, DateTimeOffset At) : HostCommand;

    private HostCommand() { }
}
