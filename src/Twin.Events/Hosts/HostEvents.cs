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
    public sealed record HostRegistered([property: Id(0)] HostId Host, [property: Id(1)] Platform Platform, [property: Id(2)] string Os,
        [property: Id(3)] int Cores, [property: Id(4)] long MemoryMiB, [property: Id(5)] string Cluster,
        [property: Id(6)] int InterruptVectorBudget, [property: Id(7)] DateTimeOffset At) : HostEvent;

    [GenerateSerializer, Immutable]
    public sealed record HostOsChanged([property: Id(0)] HostId Host, [property: Id(1)] string From, [property: Id(2)] string To,
        [property: Id(3)] DateTimeOffset At) : HostEvent;

    [GenerateSerializer, Immutable]
    public sealed record VmPlaced([property: Id(0)] HostId Host, [property: Id(1)] VmId Vm, [property: Id(2)] int Vcpus,
        [property: Id(3)] long MemoryMiB, [property: Id(4)] bool ReserveAllMemory, [property: Id(5)] OperationId Op,
        [property: Id(6)] DateTimeOffset At) : HostEvent;

    [GenerateSerializer, Immutable]
    public sealed record VmPlacementRejected([property: Id(0)] HostId Host, [property: Id(1)] VmId Vm, [property: Id(2)] HostRefusal Reason,
        [property: Id(3)] string Detail, [property: Id(4)] OperationId Op, [property: Id(5)] DateTimeOffset At) : HostEvent;

    [GenerateSerializer, Immutable]
    public sealed record VmUnplaced([property: Id(0)] HostId Host, [property: Id(1)] VmId Vm, [property: Id(2)] OperationId Op,
        [property: Id(3)] DateTimeOffset At) : HostEvent;

    [GenerateSerializer, Immutable]
    public sealed record InterruptVectorsReserved([property: Id(0)] HostId Host, [property: Id(1)] VmId Vm, [property: Id(2)] int Vectors,
        [property: Id(3)] OperationId Op, [property: Id(4)] DateTimeOffset At) : HostEvent;

    [GenerateSerializer, Immutable]
    public sealed record InterruptVectorsRejected([property: Id(0)] HostId Host, [property: Id(1)] VmId Vm, [property: Id(2)] int Vectors,
        [property: Id(3)] int Free, [property: Id(4)] OperationId Op, [property: Id(5)] DateTimeOffset At) : HostEvent;

    [GenerateSerializer, Immutable]
    public sealed record InterruptVectorsReleased([property: Id(0)] HostId Host, [property: Id(1)] VmId Vm, [property: Id(2)] int Vectors,
        [property: Id(3)] OperationId Op, [property: Id(4)] DateTimeOffset At) : HostEvent;

    [GenerateSerializer, Immutable]
    public sealed record HostMaintenanceChanged([property: Id(0)] HostId Host, [property: Id(1)] bool InMaintenance,
        [property: Id(2)] DateTimeOffset At) : HostEvent;

    [GenerateSerializer, Immutable]
    public sealed record HostFailed([property: Id(0)] HostId Host, [property: Id(1)] OperationId Op, [property: Id(2)] DateTimeOffset At) : HostEvent;

    [GenerateSerializer, Immutable]
    public sealed record HostRepaired([property: Id(0)] HostId Host, [property: Id(1)] OperationId Op, [property: Id(2)] DateTimeOffset At) : HostEvent;

    [GenerateSerializer, Immutable]
    public sealed record HostRebooted([property: Id(0)] HostId Host, [property: Id(1)] OperationId Op, [property: Id(2)] DateTimeOffset At) : HostEvent;

    private HostEvent() { }
}
