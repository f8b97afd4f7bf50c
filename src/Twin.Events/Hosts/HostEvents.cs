using Twin.Events.Common;
using Twin.Events.Platforms;

namespace Twin.Events.Hosts;

/// <summary>Why a VM could not be placed on a host or could not reserve its interrupt vectors.</summary>
public enum HostRefusal
{
    /// <summary>Memory that must be reserved does not fit in the host's physical memory.</summary>
    InsufficientMemory,
    /// <summary>The host is failed or in maintenance.</summary>
    HostUnavailable,
    /// <summary>vSphere: the passthrough interrupt-vector budget is spent.</summary>
    OutOfInterruptVectors,
}

/// <summary>Facts about one host.</summary>
[GenerateSerializer, Immutable]
public abstract record HostEvent
{
    public abstract HostId Host { get; init; }
    public abstract DateTimeOffset At { get; init; }

    [GenerateSerializer, Immutable]
    public sealed record HostRegistered(HostId Host, Platform Platform, string Os,
        int Cores, long MemoryMiB, string Cluster,
        int InterruptVectorBudget, DateTimeOffset At) : HostEvent;

    [GenerateSerializer, Immutable]
    public sealed record HostOsChanged(HostId Host, string From, string To,
        DateTimeOffset At) : HostEvent;

    [GenerateSerializer, Immutable]
    public sealed record VmPlaced(HostId Host, VmId Vm, int Vcpus,
        long MemoryMiB, bool ReserveAllMemory, OperationId Op,
        DateTimeOffset At) : HostEvent;

    [GenerateSerializer, Immutable]
    public sealed record VmPlacementRejected(HostId Host, VmId Vm, HostRefusal Reason,
        string Detail, OperationId Op, DateTimeOffset At) : HostEvent;

    [GenerateSerializer, Immutable]
    public sealed record VmUnplaced(HostId Host, VmId Vm, OperationId Op,
        DateTimeOffset At) : HostEvent;

    [GenerateSerializer, Immutable]
    public sealed record InterruptVectorsReserved(HostId Host, VmId Vm, int Vectors,
        OperationId Op, DateTimeOffset At) : HostEvent;

    [GenerateSerializer, Immutable]
    public sealed record InterruptVectorsRejected(HostId Host, VmId Vm, int Vectors,
        int Free, OperationId Op, DateTimeOffset At) : HostEvent;

    [GenerateSerializer, Immutable]
    public sealed record InterruptVectorsReleased(HostId Host, VmId Vm, int Vectors,
        OperationId Op, DateTimeOffset At) : HostEvent;

    [GenerateSerializer, Immutable]
    public sealed record HostMaintenanceChanged(HostId Host, bool InMaintenance,
        DateTimeOffset At) : HostEvent;

    [GenerateSerializer, Immutable]
    public sealed record HostFailed(HostId Host, OperationId Op, DateTimeOffset At) : HostEvent;

    [GenerateSerializer, Immutable]
    public sealed record HostRepaired(HostId Host, OperationId Op, DateTimeOffset At) : HostEvent;

    [GenerateSerializer, Immutable]
    public sealed record HostRebooted(HostId Host, OperationId Op, DateTimeOffset At) : HostEvent;

    private HostEvent() { }
}
