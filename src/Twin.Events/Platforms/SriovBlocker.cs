using System.Text.Json.Serialization;

namespace Twin.Events.Platforms;

/// <summary>
/// Machine-readable reasons why a vNIC cannot have (or lost) a VF. The first eight are Windows' own vocabulary
/// (<c>Get-NetAdapterSriov</c> <c>SriovSupport</c>: MissingAcs, MissingPfDriver, NoBusResources, NoIoMmuSupport,
/// NoVfBarSpace, NoOscSupport); the rest name the other prerequisites of the seed article and the platform rules.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<SriovBlocker>))]
public enum SriovBlocker
{
    // ---- chipset / firmware (Windows SriovSupport vocabulary) ----
    /// <summary>The PCI Express hierarchy above the NIC lacks Access Control Services.</summary>
    MissingAcs,
    /// <summary>The device or its PF driver does not support SR-IOV.</summary>
    MissingPfDriver,
    /// <summary>Not enough PCI Express bus numbers for the requested VFs.</summary>
    NoBusResources,
    /// <summary>No IOMMU (VT-d / AMD-Vi), no interrupt or DMA remapping, or no SLAT.</summary>
    NoIoMmuSupport,
    /// <summary>Not enough PCI Express BAR space for the requested VFs.</summary>
    NoVfBarSpace,
    /// <summary>Firmware does not hand PCI Express control to the OS (_OSC).</summary>
    NoOscSupport,
    /// <summary>SR-IOV is switched off in the BIOS/UEFI setup.</summary>
    BiosSriovDisabled,
    /// <summary>Without ARI the PF's VFs must fit in the 8 functions of one device (see ChipsetRules).</summary>
    NoAriSupport,

    // ---- host ----
    /// <summary>The host's hypervisor is too old for SR-IOV (Hyper-V before Windows Server 2012).</summary>
    HostOsUnsupported,
    /// <summary>The host is failed or in maintenance.</summary>
    HostUnavailable,
    /// <summary>vSphere: no interrupt vectors left for passthrough (3·IntelVFs + 2·EmulexVFs within the budget).</summary>
    OutOfInterruptVectors,

    // ---- NIC ----
    /// <summary>The NIC reports no SR-IOV capability (no sriov_totalvfs / maxCount: disabled or too old, not zero).</summary>
    NicNotSriovCapable,
    /// <summary>SR-IOV is not enabled on the PF, or zero VFs are configured.</summary>
    SriovDisabledOnNic,
    /// <summary>Every allocatable VF is held.</summary>
    VfPoolExhausted,
    /// <summary>Hyper-V: no VPort left on the PF for another VF.</summary>
    NoVPortAvailable,
    /// <summary>Hyper-V: not enough queue pairs left on the PF.</summary>
    NoQueuePairsAvailable,
    /// <summary>The NIC failed; every VF on it is gone.</summary>
    NicFailed,
    /// <summary>The VF count changed and the adapter restarted (Hyper-V), revoking every VF.</summary>
    VfCountChanged,
    /// <summary>SR-IOV was disabled on the PF.</summary>
    SriovDisabledByOperator,
    /// <summary>The requested resource pool does not exist on this NIC.</summary>
    UnknownResourcePool,

    // ---- switch ----
    /// <summary>The vNIC's switch is not an external switch bound to an SR-IOV NIC.</summary>
    SwitchNotExternal,
    /// <summary>The vNIC's switch was created without IOV (Hyper-V: fixed at creation).</summary>
    SwitchIovDisabled,
    /// <summary>The switch was deleted or recreated; its vNICs were disconnected.</summary>
    SwitchRecreated,

    // ---- VM / guest ----
    /// <summary>The guest OS cannot use a VF on this platform (e.g. Windows before 8/2012, Linux on a pre-2016 Hyper-V host).</summary>
    GuestOsUnsupported,
    /// <summary>The guest has no VF driver for this NIC (vSphere, KVM).</summary>
    NoVfDriverInGuest,
    /// <summary>The vNIC does not ask for a VF (IovWeight 0).</summary>
    IovNotRequested,
    /// <summary>A live migration is in progress (Hyper-V runs synthetic during the move).</summary>
    MigrationInProgress,
    /// <summary>The VM moved to a host where no VF was free.</summary>
    NoVfOnDestination,
}
