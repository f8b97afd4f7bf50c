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
        NicId Nic, HostId Host, Platform Platform,
        string Model, NicVendor Vendor, string PciAddress,
        int LinkMbps, int NumaNode, int? MaxVfs,
        bool PfDriverSupportsSriov, int? VPorts, int? QueuePairs,
        DateTimeOffset At) : NicEvent;

    /// <summary>SR-IOV turned on with <paramref name="VfCount"/> VFs in effect.</summary>
    [GenerateSerializer, Immutable]
    public sealed record SriovEnabled(NicId Nic, int VfCount, OperationId Op,
        DateTimeOffset At) : NicEvent;

    /// <summary>SR-IOV turned off; every VF is gone (holders were revoked first, in the same append).</summary>
    [GenerateSerializer, Immutable]
    public sealed record SriovDisabled(NicId Nic, OperationId Op, DateTimeOffset At) : NicEvent;

    /// <summary>The VF count in effect changed from <paramref name="From"/> to <paramref name="To"/>
    /// (<paramref name="Asked"/> is what was asked; a Linux driver may enable fewer).</summary>
    [GenerateSerializer, Immutable]
    public sealed record VfCountChanged(NicId Nic, int From, int To,
        int Asked, OperationId Op, DateTimeOffset At) : NicEvent;

    /// <summary>A change was requested but is not in effect until the host reboots (vSphere):
    /// numVirtualFunctionRequested ≠ numVirtualFunction.</summary>
    [GenerateSerializer, Immutable]
    public sealed record VfConfigurationPending(NicId Nic, bool Enabled,
        int RequestedVfs, OperationId Op, DateTimeOffset At) : NicEvent;

    /// <summary>A configuration change was refused; <paramref name="Holders"/> lists the vNICs in the way.</summary>
    [GenerateSerializer, Immutable]
    public sealed record VfConfigurationRejected(NicId Nic, NicChangeRefusal Reason,
        int RequestedVfs, ValueList<VnicRef> Holders, OperationId Op,
        DateTimeOffset At) : NicEvent;

    /// <summary>A capture showed a different configuration than the twin had (import).</summary>
    [GenerateSerializer, Immutable]
    public sealed record VfConfigurationObserved(NicId Nic, int? MaxVfs,
        bool Enabled, int ConfiguredVfs, int? RequestedVfs,
        OperationId Op, DateTimeOffset At) : NicEvent;

    [GenerateSerializer, Immutable]
    public sealed record ResourcePoolDefined(NicId Nic, string Name,
        ValueList<int> VfIndices, DateTimeOffset At) : NicEvent;

    [GenerateSerializer, Immutable]
    public sealed record ResourcePoolRejected(NicId Nic, string Name,
        string Problem, DateTimeOffset At) : NicEvent;

    [GenerateSerializer, Immutable]
    public sealed record ResourcePoolRemoved(NicId Nic, string Name, DateTimeOffset At) : NicEvent;

    /// <summary>VF <paramref name="VfIndex"/> now belongs to <paramref name="Vnic"/> under claim <paramref name="Op"/>.</summary>
    [GenerateSerializer, Immutable]
    public sealed record VfAllocated(NicId Nic, int VfIndex, VnicRef Vnic,
        int IovWeight, int QueuePairs, VfAllocationCause Cause,
        OperationId Op, DateTimeOffset At) : NicEvent;

    /// <summary>A vNIC asked for a VF and got none. <paramref name="Queued"/>: it waits for one (Hyper-V runs it
    /// synthetic meanwhile). <paramref name="Free"/> VFs were free when <paramref name="Needed"/> were asked at once.</summary>
    [GenerateSerializer, Immutable]
    public sealed record VfAllocationRejected(NicId Nic, VnicRef Vnic,
        SriovBlocker Reason, int Free, int Needed, bool Queued,
        int IovWeight, int QueuePairs, OperationId Op,
        DateTimeOffset At) : NicEvent;

    /// <summary>The holder gave its VF back (claim <paramref name="ClaimOp"/>, released by operation <paramref name="Op"/>).</summary>
    [GenerateSerializer, Immutable]
    public sealed record VfReleased(NicId Nic, int VfIndex, VnicRef Vnic,
        OperationId ClaimOp, OperationId Op, DateTimeOffset At) : NicEvent;

    /// <summary>The VF was taken from its holder (adapter restart, SR-IOV disabled, NIC failure, preemption).
    /// <paramref name="Queued"/>: the holder now waits for another VF (Hyper-V).</summary>
    [GenerateSerializer, Immutable]
    public sealed record VfRevoked(NicId Nic, int VfIndex, VnicRef Vnic,
        SriovBlocker Reason, bool Queued, OperationId ClaimOp,
        OperationId Op, DateTimeOffset At) : NicEvent;

    /// <summary>A waiting vNIC stopped waiting (VM stopped, weight set to 0, moved away).</summary>
    [GenerateSerializer, Immutable]
    public sealed record VfRequestWithdrawn(NicId Nic, VnicRef Vnic, OperationId Op,
        DateTimeOffset At) : NicEvent;

    [GenerateSerializer, Immutable]
    public sealed record NicFailed(NicId Nic, OperationId Op, DateTimeOffset At) : NicEvent;

    [GenerateSerializer, Immutable]
    public sealed record NicRepaired(NicId Nic, OperationId Op, DateTimeOffset At) : NicEvent;

    [GenerateSerializer, Immutable]
    public sealed record ScarceVfPolicyChanged(NicId Nic, ScarceVfPolicy Policy, DateTimeOffset At) : NicEvent;

    private NicEvent() { }
}
