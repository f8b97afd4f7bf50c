using System.Text.Json.Serialization;

namespace Twin.Events.Platforms;

/// <summary>What changing a PF's VF count does.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<VfCountChangeBehaviour>))]
public enum VfCountChangeBehaviour
{
    /// <summary>Hyper-V: the adapter restarts and every VF is revoked (holders fall back to synthetic).</summary>
    AdapterRestartRevokesAll,

    /// <summary>vSphere: the new count is only requested; it takes effect at the next host reboot.</summary>
    PendingUntilReboot,

    /// <summary>Linux/KVM: writing N→M with both non-zero fails with EBUSY; the count must pass through 0,
    /// which destroys every VF, so every holder must be evicted first. The driver may enable fewer than asked.</summary>
    MustPassThroughZero,
}

/// <summary>What happens when a VM asks for a VF and the pool has none free.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ExhaustionBehaviour>))]
public enum ExhaustionBehaviour
{
    /// <summary>Hyper-V: the VM starts anyway on the synthetic path; a VF may be given later.</summary>
    SyntheticFallback,

    /// <summary>vSphere: power-on fails (no free VF, or out of interrupt vectors).</summary>
    PowerOnFails,

    /// <summary>KVM/libvirt: domain start or hot-plug fails, atomically (no VF of the request is kept).</summary>
    StartFailsAtomically,
}

/// <summary>What live migration does with a VM that holds a VF.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MigrationBehaviour>))]
public enum MigrationBehaviour
{
    /// <summary>Hyper-V: allowed; the VF is detached, the VM runs synthetic during the move and gets a VF on the
    /// destination if one is free, else stays synthetic.</summary>
    SyntheticDuringMove,

    /// <summary>vSphere: vMotion (and DRS, HA, FT, snapshots, suspend, hot-add) is unavailable for SR-IOV VMs.</summary>
    RefusedForSriovVms,

    /// <summary>KVM: VFIO device state is not migratable; the VF is unplugged (net_failover / bond to a virtio
    /// standby) and a VF is re-plugged on the destination if one is free.</summary>
    UnplugAndReplug,
}

/// <summary>What disabling SR-IOV on a PF does to the VFs' holders.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DisableSriovBehaviour>))]
public enum DisableSriovBehaviour
{
    /// <summary>Hyper-V: every holder falls back to synthetic in one step.</summary>
    AllHoldersToSynthetic,

    /// <summary>vSphere: disabling is a configuration change that takes effect at the next reboot.</summary>
    PendingUntilReboot,

    /// <summary>Linux/KVM: sriov_numvfs=0 destroys every VF; refused while any VF is held.</summary>
    RefusedWhileHeld,
}

/// <summary>
/// The SR-IOV rules of one platform (DESIGN §3.2), each a named value so simulations and rehearsals can say which
/// rule produced an outcome. Sources are given per platform in <see cref="Source"/>.
/// </summary>
public sealed record PlatformRules(
    Platform Platform,
    bool SwitchIovFixedAtCreation,
    VfCountChangeBehaviour OnVfCountChange,
    ExhaustionBehaviour OnExhaustion,
    MigrationBehaviour OnLiveMigration,
    DisableSriovBehaviour OnDisableSriov,
    bool ReservesAllGuestMemory,
    bool DriverMayEnableFewerVfsThanAsked,
    bool HasVPortAndQueuePairPools,
    bool HasInterruptVectorBudget,
    string Source)
{
    public static readonly PlatformRules HyperV = new(
        Platform.HyperV,
        SwitchIovFixedAtCreation: true,
        OnVfCountChange: VfCountChangeBehaviour.AdapterRestartRevokesAll,
        OnExhaustion: ExhaustionBehaviour.SyntheticFallback,
        OnLiveMigration: MigrationBehaviour.SyntheticDuringMove,
        OnDisableSriov: DisableSriovBehaviour.AllHoldersToSynthetic,
        ReservesAllGuestMemory: false,
        DriverMayEnableFewerVfsThanAsked: false,
        HasVPortAndQueuePairPools: true,
        HasInterruptVectorBudget: false,
        Source: "Microsoft: 'Everything you wanted to know about SR-IOV in Hyper-V' (J. Howard, 2012, parts 1-8); " +
                "New-VMSwitch -EnableIov (IOV can only be set at creation); Get-NetAdapterSriov (SriovSupport, NumVFs, NumVPorts, queue pairs); " +
                "Set-VMNetworkAdapter -IovWeight; netvsc documentation (VF is a transparent bond slave of the synthetic NIC)");

    public static readonly PlatformRules VSphere = new(
        Platform.VSphere,
        SwitchIovFixedAtCreation: false,
        OnVfCountChange: VfCountChangeBehaviour.PendingUntilReboot,
        OnExhaustion: ExhaustionBehaviour.PowerOnFails,
        OnLiveMigration: MigrationBehaviour.RefusedForSriovVms,
        OnDisableSriov: DisableSriovBehaviour.PendingUntilReboot,
        ReservesAllGuestMemory: true,
        DriverMayEnableFewerVfsThanAsked: false,
        HasVPortAndQueuePairPools: false,
        HasInterruptVectorBudget: true,
        Source: "VMware vSphere Networking, 'SR-IOV Support' (features unavailable for SR-IOV VMs: vMotion, DRS, HA, FT, snapshots, " +
                "suspend/resume, hot add; 3X + 2Y < 3072 interrupt vectors) and 'VM That Uses an SR-IOV VF Fails to Power On Because the " +
                "Host Is Out of Interrupt Vectors'; HostSriovInfo (numVirtualFunctionRequested vs numVirtualFunction, reboot required)");

    public static readonly PlatformRules Kvm = new(
        Platform.Kvm,
        SwitchIovFixedAtCreation: false,
        OnVfCountChange: VfCountChangeBehaviour.MustPassThroughZero,
        OnExhaustion: ExhaustionBehaviour.StartFailsAtomically,
        OnLiveMigration: MigrationBehaviour.UnplugAndReplug,
        OnDisableSriov: DisableSriovBehaviour.RefusedWhileHeld,
        ReservesAllGuestMemory: true,
        DriverMayEnableFewerVfsThanAsked: true,
        HasVPortAndQueuePairPools: false,
        HasInterruptVectorBudget: false,
        Source: "Linux Documentation/PCI/pci-iov-howto (sriov_numvfs; drivers/pci/iov.c returns -EBUSY when VFs already enabled " +
                "and a different non-zero count is written); libvirt 'forward mode=hostdev' networks (a VF pool, domain start fails " +
                "when none is free); VFIO devices block migration (QEMU), net_failover for unplug/replug");

    /// <summary>Whether this platform refuses to move a VM whose vNICs want VFs to another host while it runs or for it
    /// (vSphere: vMotion, DRS and HA are unavailable for SR-IOV VMs). The VM decider refuses a live migration by it; the
    /// simulator moves, HA-restarts and drains VMs by it.</summary>
    public bool RefusesToMove(bool wantsSriov) => wantsSriov && OnLiveMigration == MigrationBehaviour.RefusedForSriovVms;

    /// <summary>The rules of a platform.</summary>
    public static PlatformRules For(Platform platform) => platform switch
    {
        Platform.HyperV => HyperV,
        Platform.VSphere => VSphere,
        Platform.Kvm => Kvm,
        _ => Unknown(platform),
    };

    // apart, so that For stays small enough to inline (the simulator asks at every VF request and release)
    private static PlatformRules Unknown(Platform platform) =>
        throw new ArgumentOutOfRangeException(nameof(platform), platform, "unknown platform");
}
