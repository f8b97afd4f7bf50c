using Twin.Events.Common;
using Twin.Events.Platforms;

namespace Twin.Events.Nics;

/// <summary>One vNIC's request for a VF: who asks, how strongly (Hyper-V IovWeight 1–100), how many queue pairs
/// (Hyper-V), and optionally from which named resource pool (e.g. a Kubernetes device-plugin resource).</summary>
[GenerateSerializer, Immutable]
public sealed record VfRequest(
    VnicRef Vnic,
    int IovWeight = 100,
    int QueuePairs = 1,
    string? ResourcePool = null);

/// <summary>Commands to one NIC physical function (PF) and its VF pool. Commands carry their time (<c>At</c>);
/// those that are steps of an operation carry its id (<c>Op</c>) and are idempotent on it.</summary>
[GenerateSerializer, Immutable]
public abstract record NicCommand
{
    /// <summary>The PF this command targets.</summary>
    public abstract NicId Nic { get; init; }

    /// <summary>Registers a PF. <paramref name="MaxVfs"/> is the hardware/firmware ceiling (sriov_totalvfs,
    /// maxCount, MaxNumVFs, maxVirtualFunctionSupported); null when the capture has none (disabled or too old, not zero).
    /// <paramref name="VPorts"/> and <paramref name="QueuePairs"/> are Hyper-V pools (null = not limiting).
    /// <paramref name="LinkMbps"/> is the link rate in Mbit/s.</summary>
    [GenerateSerializer, Immutable]
    public sealed record InstallNic(
        NicId Nic, HostId Host, Platform Platform,
        string Model, NicVendor Vendor, string PciAddress,
        int LinkMbps, int NumaNode, int? MaxVfs,
        bool PfDriverSupportsSriov, int? VPorts, int? QueuePairs,
        DateTimeOffset At) : NicCommand;

    /// <summary>Turns SR-IOV on with <paramref name="VfCount"/> VFs (Hyper-V Enable-NetAdapterSriov + NumVFs,
    /// vSphere sriovEnabled + numVirtualFunction (pending reboot), Linux sriov_numvfs 0→N).</summary>
    [GenerateSerializer, Immutable]
    public sealed record EnableSriov(NicId Nic, int VfCount, OperationId Op,
        DateTimeOffset At) : NicCommand;

    /// <summary>Turns SR-IOV off on the PF (see <see cref="DisableSriovBehaviour"/>).</summary>
    [GenerateSerializer, Immutable]
    public sealed record DisableSriov(NicId Nic, OperationId Op, DateTimeOffset At) : NicCommand;

    /// <summary>Changes the number of VFs (see <see cref="VfCountChangeBehaviour"/>).</summary>
    [GenerateSerializer, Immutable]
    public sealed record SetVfCount(NicId Nic, int VfCount, OperationId Op,
        DateTimeOffset At) : NicCommand;

    /// <summary>The host rebooted: a pending (vSphere) configuration takes effect.</summary>
    [GenerateSerializer, Immutable]
    public sealed record ApplyPendingConfiguration(NicId Nic, OperationId Op, DateTimeOffset At) : NicCommand;

    /// <summary>What a capture (import) observed on the real PF: the world changed outside Twin. Differences become
    /// events; VFs that no longer exist are revoked from their holders.</summary>
    [GenerateSerializer, Immutable]
    public sealed record ObserveVfConfiguration(
        NicId Nic, int? MaxVfs, bool SriovEnabled,
        int ConfiguredVfs, int? RequestedVfs, OperationId Op,
        DateTimeOffset At) : NicCommand;

    /// <summary>Declares a named resource pool (scheduler-visible subset of VFs, e.g. a device-plugin resource or a
    /// Placement inventory). Pools never overlap: a VF belongs to at most one.</summary>
    [GenerateSerializer, Immutable]
    public sealed record DefineResourcePool(NicId Nic, string Name,
        ValueList<int> VfIndices, DateTimeOffset At) : NicCommand;

    /// <summary>Removes a resource pool; its VFs stop being allocatable unless no pool is left.</summary>
    [GenerateSerializer, Immutable]
    public sealed record RemoveResourcePool(NicId Nic, string Name, DateTimeOffset At) : NicCommand;

    /// <summary>Asks for one VF per request (a VM start needing k VFs on this PF, a hot-plug, or a migration's claim
    /// on the destination). A vNIC that already holds a VF here is a no-op (idempotent retry).</summary>
    [GenerateSerializer, Immutable]
    public sealed record AllocateVfs(NicId Nic, ValueList<VfRequest> Requests,
        OperationId Op, DateTimeOffset At) : NicCommand;

    /// <summary>Frees the VF that <paramref name="Vnic"/> holds under claim <paramref name="ClaimOp"/> (the operation
    /// that allocated it; <see cref="OperationId.None"/> = whatever it holds). A release for another claim, or of a
    /// VF already released, is a no-op: a claim is released exactly once. A vNIC waiting for a VF is withdrawn.</summary>
    [GenerateSerializer, Immutable]
    public sealed record ReleaseVf(NicId Nic, VnicRef Vnic, OperationId ClaimOp,
        OperationId Op, DateTimeOffset At) : NicCommand;

    /// <summary>The PF failed: every VF on it is gone.</summary>
    [GenerateSerializer, Immutable]
    public sealed record FailNic(NicId Nic, OperationId Op, DateTimeOffset At) : NicCommand;

    /// <summary>The PF is back (with its configuration; no holders).</summary>
    [GenerateSerializer, Immutable]
    public sealed record RepairNic(NicId Nic, OperationId Op, DateTimeOffset At) : NicCommand;

    /// <summary>Chooses how scarce VFs are arbitrated on this PF.</summary>
    [GenerateSerializer, Immutable]
    public sealed record SetScarceVfPolicy(NicId Nic, ScarceVfPolicy Policy, DateTimeOffset At) : NicCommand;

    private NicCommand() { }
}
