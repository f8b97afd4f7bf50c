using Twin.Events.Chipsets;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Switches;

namespace Twin.Host.Import;

/// <summary>How a capture names a PF when it gives no PCI address. Linux netdev names are not identities (they change
/// across reboots and udev rules), so a NIC known only by one is reported, not created; ESXi vmnic names (persisted in
/// esx.conf) and Windows interface descriptions (fixed while the adapter is installed) are stable enough to key a NIC
/// provisionally.</summary>
internal enum AliasKind
{
    Netdev,
    WindowsName,
    InterfaceDescription,
    VmNic,
    PlacementProvider,
    Unnamed,
}

internal readonly record struct NicAlias(AliasKind Kind, string Value)
{
    public override string ToString() => Kind switch
    {
        AliasKind.Netdev => $"netdev {Value}",
        AliasKind.WindowsName => $"adapter '{Value}'",
        AliasKind.InterfaceDescription => $"'{Value}'",
        AliasKind.VmNic => Value,
        AliasKind.PlacementProvider => $"provider {Value}",
        _ => Value,
    };
}

/// <summary>A reference to a PF: by PCI address, or by an alias to be resolved against the other captures of the host.</summary>
internal sealed record NicRef(string? Pci, NicAlias? Alias)
{
    public static NicRef ByPci(string pci) => new(pci, null);
    public static NicRef By(AliasKind kind, string value) => new(null, new NicAlias(kind, value));
    public override string ToString() => Pci ?? Alias?.ToString() ?? "?";
}

/// <summary>What one capture says about one PCI function that may be a PF. Null = the capture does not say.</summary>
internal sealed class PfObs
{
    public string? Host;
    public string? Pci;
    public readonly List<NicAlias> Aliases = [];
    /// <summary>The capture shows this is a PF (SR-IOV capability, a VF list, a network controller that is no VF). An
    /// observation that only maps a name to an address (a VF's netdev, say) does not create a NIC.</summary>
    public bool AssertsPf;
    /// <summary>The capture shows this function is a VF.</summary>
    public bool IsVf;
    public int? Line;
    public string? VendorId;
    public NicVendor? Vendor;
    public string? DeviceId;
    public string? Model;
    public string? Driver;
    public int? NumaNode;
    public int? LinkMbps;
    public int? MaxVfs;
    public int? ConfiguredVfs;
    public int? RequestedVfs;
    public bool? SriovEnabled;
    public bool? PfDriverSupportsSriov;
    public int? VPorts;
    public int? QueuePairs;
    public string? VfDeviceId;

    public PfObs Alias(AliasKind kind, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value)) Aliases.Add(new(kind, value.Trim()));
        return this;
    }

    public NicRef Ref => Pci is not null ? NicRef.ByPci(Pci) : new NicRef(null, Aliases.Count > 0 ? Aliases[0] : null);
}

/// <summary>A VF and its PF: index known (VF lists, virtfnN links, esxcli VF ID, k8s vfID) or not (a VF's
/// phys_function back-pointer).</summary>
internal sealed record VfObs(string? Host, string VfPci, NicRef Pf, int? Index, int? Line, string? DeviceId = null, string? Driver = null);

internal sealed class HostObs
{
    public string? Host;
    public Platform? Platform;
    public int? Cores;
    public long? MemoryMiB;
    public string? Os;
    public ChipsetCapabilities? Chipset;
    public string? ChipsetDescription;
    public int? Line;
}

internal sealed record SwitchObs(string? Host, string Name, SwitchKind Kind, NicRef? Bound, bool IovEnabled, int? Line,
    IReadOnlyList<string>? PoolVfPcis = null, bool PoolIsWholePf = false);

/// <summary>A vNIC: on a named switch, or (<see cref="Passthrough"/>) a VF handed straight to the VM (libvirt
/// <c>&lt;interface type='hostdev'&gt;</c>, an ESXi SR-IOV passthrough adapter) whose switch is implied by its PF.
/// <see cref="Key"/> is a platform id a holder record may use instead of the name (Hyper-V adapter Id).</summary>
internal sealed record VnicObs(string Name, string? SwitchName, bool Passthrough, int? IovWeight, int? QueuePairs, string? Key = null);

internal sealed class VmObs
{
    public string? Host;
    public required string Name;
    public string? Guest;
    public int? Vcpus;
    public long? MemoryMiB;
    public bool? Running;
    public readonly List<VnicObs> Vnics = [];
    public int? Line;
}

/// <summary>VF held by a VM's vNIC: by VF address (libvirt) or PF and index (esxcli), the VM by name or by ESXi world id.</summary>
internal sealed record HolderObs(string? Host, string? Vm, string Vnic, string? VfPci, NicRef? Pf, int? Index, string? WorldId, int? Line,
    bool PlainHostdev = false);

internal sealed record WorldObs(string? Host, string WorldId, string? CartelId, string Name, int? Line);

/// <summary>A pool on a PF: explicit VF indices, the first <see cref="Count"/> VFs, every VF (<see cref="AllVfs"/>),
/// or VF addresses still to be mapped to indices.</summary>
internal sealed record PoolObs(string? Host, NicRef Nic, string Name, IReadOnlyList<int>? Indices, int? Count, bool AllVfs,
    IReadOnlyList<string>? VfPcis, int? Line);

/// <summary>A Kubernetes pool selector (device plugin resourceList entry or operator policy) to match against the PFs
/// of the host (or every host when the capture is not tied to one).</summary>
internal sealed record SelectorObs(string? Host, string ResourceName, IReadOnlyList<string> Vendors, IReadOnlyList<string> VfDevices,
    IReadOnlyList<string> PfDevices, IReadOnlyList<string> Drivers, IReadOnlyList<string> PfNames, IReadOnlyList<string> RootDevices,
    int? NumVfs, bool IsPolicy, int? Line);

/// <summary>A pool count with no place in the topology (<see cref="ObservedPool"/>), its PF possibly unknown.</summary>
internal sealed record UsageObs(string? Host, NicRef? Nic, string Name, int? Capacity, int? Used, int? Line);

/// <summary>Everything one capture file says, before it is merged with the others.</summary>
internal sealed class Observations(string source, ImportFormat format)
{
    public string Source { get; } = source;
    public ImportFormat Format { get; } = format;
    /// <summary>The platform every host of this capture runs; <see cref="PlatformIsCertain"/> false for captures that
    /// only suggest it (Placement and Kubernetes hosts are assumed KVM).</summary>
    public Platform Platform { get; set; } = Platform.Kvm;
    public bool PlatformIsCertain { get; set; } = true;
    /// <summary>The host the capture names itself (k8s node name, Hyper-V ComputerName, ESXi prompt).</summary>
    public string? NamedHost { get; set; }

    public List<HostObs> Hosts { get; } = [];
    public List<PfObs> Pfs { get; } = [];
    public List<VfObs> Vfs { get; } = [];
    public List<SwitchObs> Switches { get; } = [];
    public List<VmObs> Vms { get; } = [];
    public List<HolderObs> Holders { get; } = [];
    public List<WorldObs> Worlds { get; } = [];
    public List<PoolObs> Pools { get; } = [];
    public List<SelectorObs> Selectors { get; } = [];
    public List<UsageObs> Usages { get; } = [];
    public List<Diagnostic> Diagnostics { get; } = [];
    /// <summary>Placement provider UUID → name, applied to the hosts and providers of the whole import.</summary>
    public Dictionary<string, string> ProviderNames { get; } = new(StringComparer.OrdinalIgnoreCase);

    public PfObs Pf(string? pci, int? line, string? host = null)
    {
        var o = new PfObs { Pci = pci, Line = line, Host = host };
        Pfs.Add(o);
        return o;
    }
}
