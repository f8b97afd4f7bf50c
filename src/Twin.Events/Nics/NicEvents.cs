using System.Text.Json.Serialization;
using Twin.Events.Common;
using Twin.Events.Platforms;

namespace Twin.Events.Nics;

/// <summary>NIC vendor, for catalog look-ups and the vSphere interrupt-vector cost of a VF.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NicVendor>))]
public enum NicVendor
{
    Intel,
    Mellanox,
    Emulex,
    Broadcom,
    Chelsio,
    Solarflare,
    Other,
}

/// <summary>Why a PF configuration change was refused.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NicChangeRefusal>))]
public enum NicChangeRefusal
{
    /// <summary>More VFs than the ceiling (sriov_totalvfs / MaxNumVFs).</summary>
    ExceedsCeiling,
    /// <summary>The PF has no known SR-IOV capability (no ceiling reported) or its driver lacks SR-IOV.</summary>
    NotSriovCapable,
    /// <summary>Linux: N→M with both non-zero is refused by the kernel (EBUSY); set 0 first.</summary>
    MustPassThroughZero,
    /// <summary>Linux: going to 0 VFs destroys them all; every holder must be evicted first.</summary>
    VfsInUse,
    /// <summary>The PF is failed.</summary>
    NicFailed,
    /// <summary>A resource pool overlaps another, or names a VF that does not exist.</summary>
    InvalidResourcePool,
}

/// <summary>Why a VF was allocated.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<VfAllocationCause>))]
public enum VfAllocationCause
{
    /// <summary>The holder asked for it (start, hot-plug, migration claim).</summary>
    Requested,
    /// <summary>Hyper-V: a VF was freed and handed to this waiting vNIC by the scarce-VF policy.</summary>
    HandedOverOnRelease,
    /// <summary>Hyper-V (<see cref="ScarceVfPolicy.WeightPreemptive"/>): taken from a lower-weight holder.</summary>
    Preempted,
}

/// <summary>Facts about one NIC physical function and its SR-IOV VF pool.</summary>
[GenerateSerializer, Immutable]
public abstract record NicEvent
{
    /// <summary>The PF.</summary>
    public abstract NicId Nic { get; init; }

    /// <summary>When it happened.</summary>
    public abstract DateTimeOffset At { get; init; }

    [GenerateSerializer, Immutable]
    public sealed record NicInstalled(
        [property: Id(0)] NicId Nic, [property: Id(1)] HostId Host, [property: Id(2)] Platform Platform,
        [property: Id(3)] string Model, [property: Id(4)] NicVendor Vendor, [property: Id(5)] string PciAddress,
        [property: Id(6)] int LinkMbps, [property: Id(7)] int NumaNode, [property: Id(8)] int? MaxVfs,
        [property: Id(9)] bool PfDriverSupportsSriov, [property: Id(10)] int? VPorts, [property: Id(11)] int? QueuePairs,
        [property: Id(12)] DateTimeOffset At) : NicEvent;

    /// <summary>SR-IOV turned on with <paramref name="VfCount"/> VFs in effect.</summary>
    [GenerateSerializer, Immutable]
    public sealed record SriovEnabled([property: Id(0)] NicId Nic, [property: Id(1)] int VfCount, [property: Id(2)] OperationId Op,
        [property: Id(3)] DateTimeOffset At) : NicEvent;

    /// <summary>SR-IOV turned off; every VF is gone (holders were revoked first, in the same append).</summary>
    [GenerateSerializer, Immutable]
    public sealed record SriovDisabled([property: Id(0)] NicId Nic, [property: Id(1)] OperationId Op, [property: Id(2)] DateTimeOffset At) : NicEvent;

    /// <summary>The VF count in effect changed from <paramref name="From"/> to <paramref name="To"/>
    /// (<paramref name="Asked"/> is what was asked; a Linux driver may enable fewer).</summary>
    [GenerateSerializer, Immutable]
    public sealed record VfCountChanged([property: Id(0)] NicId Nic, [property: Id(1)] int From, [property: Id(2)] int To,
        [property: Id(3)] int Asked, [property: Id(4)] OperationId Op, [property: Id(5)] DateTimeOffset At) : NicEvent;

    /// <summary>A change was requested but is not in effect until the host reboots (vSphere):
    /// numVirtualFunctionRequested ≠ numVirtualFunction.</summary>
    [GenerateSerializer, Immutable]
    public sealed record VfConfigurationPending([property: Id(0)] NicId Nic, [property: Id(1)] bool Enabled,
        [property: Id(2)] int RequestedVfs, [property: Id(3)] OperationId Op, [property: Id(4)] DateTimeOffset At) : NicEvent;

    /// <summary>A configuration change was refused; <paramref name="Holders"/> lists the vNICs in the way.</summary>
    [GenerateSerializer, Immutable]
    public sealed record VfConfigurationRejected([property: Id(0)] NicId Nic, [property: Id(1)] NicChangeRefusal Reason,
        [property: Id(2)] int RequestedVfs, [property: Id(3)] ValueList<VnicRef> Holders, [property: Id(4)] OperationId Op,
        [property: Id(5)] DateTimeOffset At) : NicEvent;

    /// <summary>A capture showed a different configuration than the twin had (import).</summary>
    [GenerateSerializer, Immutable]
    public sealed record VfConfigurationObserved([property: Id(0)] NicId Nic, [property: Id(1)] int? MaxVfs,
        [property: Id(2)] bool Enabled, [property: Id(3)] int ConfiguredVfs, [property: Id(4)] int? RequestedVfs,
        [property: Id(5)] OperationId Op, [property: Id(6)] DateTimeOffset At) : NicEvent;

    [GenerateSerializer, Immutable]
    public sealed record ResourcePoolDefined([property: Id(0)] NicId Nic, [property: Id(1)] string Name,
        [property: Id(2)] ValueList<int> VfIndices, [property: Id(3)] DateTimeOffset At) : NicEvent;

    [GenerateSerializer, Immutable]
    public sealed record ResourcePoolRejected([property: Id(0)] NicId Nic, [property: Id(1)] string Name,
        [property: Id(2)] string Problem, [property: Id(3)] DateTimeOffset At) : NicEvent;

    [GenerateSerializer, Immutable]
    public sealed record ResourcePoolRemoved([property: Id(0)] NicId Nic, [property: Id(1)] string Name, [property: Id(2)] DateTimeOffset At) : NicEvent;

    /// <summary>VF <paramref name="VfIndex"/> now belongs to <paramref name="Vnic"/> under claim <paramref name="Op"/>.</summary>
    [GenerateSerializer, Immutable]
    public sealed record VfAllocated([property: Id(0)] NicId Nic, [property: Id(1)] int VfIndex, [property: Id(2)] VnicRef Vnic,
        [property: Id(3)] int IovWeight, [property: Id(4)] int QueuePairs, [property: Id(5)] VfAllocationCause Cause,
        [property: Id(6)] OperationId Op, [property: Id(7)] DateTimeOffset At) : NicEvent;

    /// <summary>A vNIC asked for a VF and got none. <paramref name="Queued"/>: it waits for one (Hyper-V runs it
    /// synthetic meanwhile). <paramref name="Free"/> VFs were free when <paramref name="Needed"/> were asked at once.</summary>
    [GenerateSerializer, Immutable]
    public sealed record VfAllocationRejected([property: Id(0)] NicId Nic, [property: Id(1)] VnicRef Vnic,
        [property: Id(2)] SriovBlocker Reason, [property: Id(3)] int Free, [property: Id(4)] int Needed, [property: Id(5)] bool Queued,
        [property: Id(6)] int IovWeight, [property: Id(7)] int QueuePairs, [property: Id(8)] OperationId Op,
        [property: Id(9)] DateTimeOffset At) : NicEvent;

    /// <summary>The holder gave its VF back (claim <paramref name="ClaimOp"/>, released by operation <paramref name="Op"/>).</summary>
    [GenerateSerializer, Immutable]
    public sealed record VfReleased([property: Id(0)] NicId Nic, [property: Id(1)] int VfIndex, [property: Id(2)] VnicRef Vnic,
        [property: Id(3)] OperationId ClaimOp, [property: Id(4)] OperationId Op, [property: Id(5)] DateTimeOffset At) : NicEvent;

    /// <summary>The VF was taken from its holder (adapter restart, SR-IOV disabled, NIC failure, preemption).
    /// <paramref name="Queued"/>: the holder now waits for another VF (Hyper-V).</summary>
    [GenerateSerializer, Immutable]
    public sealed record VfRevoked([property: Id(0)] NicId Nic, [property: Id(1)] int VfIndex, [property: Id(2)] VnicRef Vnic,
        [property: Id(3)] SriovBlocker Reason, [property: Id(4)] bool Queued, [property: Id(5)] OperationId ClaimOp,
        [property: Id(6)] OperationId Op, [property: Id(7)] DateTimeOffset At) : NicEvent;

    /// <summary>A waiting vNIC stopped waiting (VM stopped, weight set to 0, moved away).</summary>
    [GenerateSerializer, Immutable]
    public sealed record VfRequestWithdrawn([property: Id(0)] NicId Nic, [property: Id(1)] VnicRef Vnic, [property: Id(2)] OperationId Op,
        [property: Id(3)] DateTimeOffset At) : NicEvent;

    [GenerateSerializer, Immutable]
    public sealed record NicFailed([property: Id(0)] NicId Nic, [property: Id(1)] OperationId Op, [property: Id(2)] DateTimeOffset At) : NicEvent;

    [GenerateSerializer, Immutable]
    public sealed record NicRepaired([property: Id(0)] NicId Nic, [property: Id(1)] OperationId Op, [property: Id(2)] DateTimeOffset At) : NicEvent;

    [GenerateSerializer, Immutable]
    public sealed record ScarceVfPolicyChanged([property: Id(0)] NicId Nic, [property: Id(1)] ScarceVfPolicy Policy, [property: Id(2)] DateTimeOffset At) : NicEvent;

    private NicEvent() { }
}
