using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Switches;
using Twin.Events.Vms;

namespace Twin.Events.Inventory;

/// <summary>A host as a capture or a topology file describes it. <paramref name="MemoryMiB"/> in MiB.</summary>
public sealed record HostSpec(
    HostId Id,
    Platform Platform,
    string Os,
    int Cores,
    long MemoryMiB,
    string Cluster,
    ChipsetCapabilities? Chipset = null,
    string? ChipsetDescription = null,
    int? InterruptVectorBudget = null);

/// <summary>A PF as observed: the four counters' inputs (ceiling, SR-IOV on, VFs configured, VFs requested but not
/// in effect) and identity. <paramref name="MaxVfs"/> null = the capture reports no ceiling (disabled or too old,
/// not zero). <paramref name="LinkMbps"/> in Mbit/s.</summary>
public sealed record NicSpec(
    NicId Id,
    HostId Host,
    string PciAddress,
    string Model,
    NicVendor Vendor,
    int LinkMbps,
    int NumaNode,
    int? MaxVfs,
    bool SriovEnabled,
    int ConfiguredVfs,
    int? RequestedVfs = null,
    bool PfDriverSupportsSriov = true,
    int? VPorts = null,
    int? QueuePairs = null,
    string? NetdevName = null,
    string? Driver = null,
    string? DeviceId = null);

/// <summary>A virtual switch (Hyper-V vSwitch, vSphere port group, libvirt network).</summary>
public sealed record SwitchSpec(SwitchId Id, HostId Host, string Name, SwitchKind Kind, NicId? BoundNic, bool IovEnabled);

/// <summary>A VM and its vNICs. <paramref name="Guest"/> is an OS name such as "Windows Server 2019".</summary>
public sealed record VmSpec(VmId Id, HostId Host, string Guest, int Vcpus, long MemoryMiB, bool Running, ValueList<VnicSpec> Vnics,
    bool GuestHasVfDriver = true);

/// <summary>A named scheduler pool on a PF: explicit VF indices, or (when only a count is known, as in an OpenStack
/// Placement inventory) the first N VFs.</summary>
public sealed record ResourcePoolSpec(NicId Nic, string Name, ValueList<int> VfIndices)
{
    public static ResourcePoolSpec FirstN(NicId nic, string name, int count) => new(nic, name, Enumerable.Range(0, count).ToValueList());
}

/// <summary>An observed VF holder: VF <paramref name="VfIndex"/> of <paramref name="Nic"/> is attached to
/// <paramref name="Vm"/>'s vNIC <paramref name="Vnic"/> (libvirt domain hostdev, esxcli Owner World ID).</summary>
public sealed record VfHolderSpec(NicId Nic, int VfIndex, VmId Vm, string Vnic);

/// <summary>
/// A datacenter described as data: what an import produces from real captures, what a topology file holds, and
/// what the simulator and what-if runs start from. Lists are independent and joined by ids.
/// </summary>
public sealed record Topology(
    ValueList<HostSpec> Hosts,
    ValueList<NicSpec> Nics,
    ValueList<SwitchSpec> Switches,
    ValueList<VmSpec> Vms,
    ValueList<ResourcePoolSpec> ResourcePools,
    ValueList<VfHolderSpec> VfHolders)
{
    public static readonly Topology Empty = new([], [], [], [], [], []);

    /// <summary>Combines two descriptions (e.g. several capture files of one datacenter). Entries with the same id
    /// are merged field by field, the later one winning where it knows more (non-null, non-default).</summary>
    public Topology Merge(Topology other) => new(
        MergeBy(Hosts, other.Hosts, h => h.Id, (a, b) => b with
        {
            Os = string.IsNullOrEmpty(b.Os) ? a.Os : b.Os,
            Cores = b.Cores > 0 ? b.Cores : a.Cores,
            MemoryMiB = b.MemoryMiB > 0 ? b.MemoryMiB : a.MemoryMiB,
            Cluster = string.IsNullOrEmpty(b.Cluster) ? a.Cluster : b.Cluster,
            Chipset = b.Chipset ?? a.Chipset,
            ChipsetDescription = b.ChipsetDescription ?? a.ChipsetDescription,
            InterruptVectorBudget = b.InterruptVectorBudget ?? a.InterruptVectorBudget,
        }),
        MergeBy(Nics, other.Nics, n => n.Id, (a, b) => b with
        {
            Model = string.IsNullOrEmpty(b.Model) || b.Model == "unknown" ? a.Model : b.Model,
            LinkMbps = b.LinkMbps > 0 ? b.LinkMbps : a.LinkMbps,
            MaxVfs = b.MaxVfs ?? a.MaxVfs,
            RequestedVfs = b.RequestedVfs ?? a.RequestedVfs,
            VPorts = b.VPorts ?? a.VPorts,
            QueuePairs = b.QueuePairs ?? a.QueuePairs,
            NetdevName = b.NetdevName ?? a.NetdevName,
            Driver = b.Driver ?? a.Driver,
            DeviceId = b.DeviceId ?? a.DeviceId,
        }),
        MergeBy(Switches, other.Switches, s => s.Id, (_, b) => b),
        MergeBy(Vms, other.Vms, v => v.Id, (a, b) => b with { Vnics = b.Vnics.Count > 0 ? b.Vnics : a.Vnics }),
        MergeBy(ResourcePools, other.ResourcePools, p => (p.Nic, p.Name), (_, b) => b),
        MergeBy(VfHolders, other.VfHolders, h => (h.Nic, h.VfIndex), (_, b) => b));

    private static ValueList<T> MergeBy<T, TKey>(ValueList<T> a, ValueList<T> b, Func<T, TKey> key, Func<T, T, T> combine) where TKey : notnull
    {
        var result = new List<T>(a);
        var index = new Dictionary<TKey, int>();
        for (var i = 0; i < result.Count; i++) index[key(result[i])] = i;
        foreach (var item in b)
        {
            if (index.TryGetValue(key(item), out var i)) result[i] = combine(result[i], item);
            else
            {
                index[key(item)] = result.Count;
                result.Add(item);
            }
        }
        return result.ToValueList();
    }
}
