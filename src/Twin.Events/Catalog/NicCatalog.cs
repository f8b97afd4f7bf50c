using Twin.Events.Nics;

namespace Twin.Events.Catalog;

/// <summary>
/// A NIC model's SR-IOV capacity as documented: VFs per port (PF) and per card, link rate in Mbit/s, and the source.
/// A live reading (sriov_totalvfs, maxCount, MaxNumVFs, maxVirtualFunctionSupported) always wins over the catalog:
/// firmware often allows fewer than the driver's cap (e.g. the E810 capture here reports 128 where the ice driver caps at 256).
/// </summary>
public sealed record NicModel(
    string Key,
    string Name,
    NicVendor Vendor,
    int VfsPerPort,
    int? VfsPerCard,
    int Ports,
    int LinkMbps,
    string Notes,
    string Source,
    IReadOnlyList<string>? Matches = null);

/// <summary>The catalog of NIC models Twin knows, for what-if variants ("replace X520s with E810s") and for NICs whose
/// capture reports no ceiling.</summary>
public static class NicCatalog
{
    public static readonly IReadOnlyList<NicModel> Models =
    [
        new("intel-82599", "Intel 82599 / X520 (ixgbe)", NicVendor.Intel, 63, null, 2, 10_000,
            "63 VFs with 1 traffic class; 32 with 4 TCs and 16 with 8 TCs in older kernels (31 and 15 in newer ones); " +
            "Intel's KVM article gives 32 per port",
            "Linux drivers/net/ethernet/intel/ixgbe/ixgbe_sriov.h (IXGBE_MAX_VFS_DRV_LIMIT = 63, IXGBE_MAX_VFS_4TC, IXGBE_MAX_VFS_8TC); " +
            "modinfo ixgbe: max_vfs 'maximum value is 63'",
            ["82599", "X520"]),
        new("intel-x540", "Intel X540 (ixgbe)", NicVendor.Intel, 63, null, 2, 10_000,
            "same ixgbe limits as the 82599",
            "Linux ixgbe_sriov.h (as 82599); Intel, 'Configure SR-IOV Network Virtual Functions in Linux KVM' (32 per port for X540-AT2)",
            ["X540"]),
        new("intel-x550", "Intel X550 (ixgbe)", NicVendor.Intel, 63, null, 2, 10_000,
            "the ixgbe driver serves the X550 family with the same VF limits as the 82599",
            "Linux drivers/net/ethernet/intel/ixgbe/ixgbe_sriov.h (IXGBE_MAX_VFS_DRV_LIMIT = 63; ixgbe drives 82598/82599/X540/X550)",
            ["X550"]),
        new("intel-x710", "Intel X710 4x10G (i40e)", NicVendor.Intel, 32, 128, 4, 10_000,
            "up to 32 per port; the i40e driver caps a device at I40E_MAX_VF_COUNT = 128; 64 with multi-function-per-port",
            "Intel, 'Configure SR-IOV Network Virtual Functions in Linux KVM' (X710: up to 32 VFs per port); " +
            "Linux drivers/net/ethernet/intel/i40e/i40e_main.c (I40E_MAX_VF_COUNT 128)",
            ["X710"]),
        new("intel-xl710", "Intel XL710 2x40G (i40e)", NicVendor.Intel, 64, 128, 2, 40_000,
            "up to 64 per port, 128 per device (driver cap)",
            "Intel, 'Configure SR-IOV Network Virtual Functions in Linux KVM' (XL710: up to 64 VFs per port); i40e_main.c (128)",
            ["XL710"]),
        new("intel-e810", "Intel E810 (ice)", NicVendor.Intel, 256, null, 2, 100_000,
            "the ice driver caps each PF at min(firmware VF count, 256); real firmware reports less (the captured E810 PF: sriov_totalvfs = 128)",
            "Linux drivers/net/ethernet/intel/ice/ice_sriov.h (ICE_MAX_SRIOV_VFS 256); prometheus/procfs E810 sysfs capture (128)",
            ["E810"]),
        new("intel-e810-xxv", "Intel E810-XXV 25G (ice)", NicVendor.Intel, 256, null, 2, 25_000,
            "the 25 GbE members of the E810 family (E810-XXVDA2/XXVDA4, device 8086:159b); same ice VF cap as the E810",
            "Linux drivers/net/ethernet/intel/ice/ice_devids.h (ICE_DEV_ID_E810_XXV_SFP 0x159B); ice_sriov.h (ICE_MAX_SRIOV_VFS 256)",
            ["E810-XXV", "E810 XXV"]),
        new("intel-i350", "Intel I350 1G (igb)", NicVendor.Intel, 7, 28, 4, 1_000,
            "7 VFs per PF; the driver warns 'Maximum of 7 VFs per PF' and clamps",
            "Linux drivers/net/ethernet/intel/igb/igb_main.c (pci_sriov_set_totalvfs(pdev, 7))",
            ["I350"]),
        new("mellanox-connectx3", "Mellanox ConnectX-3 (mlx4)", NicVendor.Mellanox, 64, 126, 2, 40_000,
            "126 per card, 64 per port (some firmware only 80 per card, old HCAs 64; a Mellanox manual says 63 per port)",
            "Linux include/linux/mlx4/device.h (MLX4_MAX_NUM_VF = 126, MLX4_MAX_NUM_VF_P_PORT = 64), commit 'net/mlx4_core: Support more than 64 VFs'",
            ["ConnectX-3", "ConnectX3", "MT27500", "MT27520"]),
        new("mellanox-connectx5", "NVIDIA/Mellanox ConnectX-4/5/6 (mlx5)", NicVendor.Mellanox, 127, null, 2, 100_000,
            "up to 127 VFs per port; the firmware NUM_OF_VFS (mlxconfig) sets the real ceiling",
            "NVIDIA MLNX_OFED documentation, 'Single Root IO Virtualization (SR-IOV)' (ConnectX family: up to 127 VFs per port)",
            ["ConnectX-4", "ConnectX-5", "ConnectX-6", "ConnectX4", "ConnectX5", "ConnectX6", "MT27700", "MT27800", "MT28908"]),
        new("chelsio-t5", "Chelsio T4/T5 (cxgb4)", NicVendor.Chelsio, 64, 64, 2, 40_000,
            "VFs only on PF0-3, one PF per port (num_vf per PF 0-3); 64 per adapter per DESIGN, not confirmed by a retrieved source",
            "Linux drivers/net/ethernet/chelsio/cxgb4/cxgb4_main.c (num_vf: 'number of VFs for each of PFs 0-3'); DESIGN.md §3.2 (64 per adapter)",
            ["T520", "T580", "T540", "T420", "T440", "T4 ", "T5 "]),
        new("solarflare-sfn8000", "Solarflare SFN7000/8000 (sfc)", NicVendor.Solarflare, 240, 240, 2, 10_000,
            "240 VFs per adapter shared across its PFs (the SFN8000 guide's sfboot vf-count default 240 'per PF')",
            "Solarflare Server Adapter User Guide SF-103837-CD (sfboot vf-count); SFN7000 User Guide (240 VFs across up to 16 PFs)",
            ["SFN7", "SFN8", "Solarflare"]),
        new("emulex-be3", "Emulex OneConnect BE3 (be2net)", NicVendor.Emulex, 30, null, 2, 10_000,
            "30 VFs (BE3 firmware); each Emulex VF costs 2 vSphere interrupt vectors",
            "Linux drivers/net/ethernet/emulex/benet/be.h (#define MAX_VFS 30 /* Max VFs supported by BE3 FW */)",
            ["OneConnect", "BE3"]),
        new("nvidia-bluefield2", "NVIDIA BlueField-2", NicVendor.Mellanox, 16, null, 2, 100_000,
            "maxCount 16 in the libvirt capture",
            "libvirt tests/nodedevschemadata/pci_0000_42_00_0_vpd.xml (capability type='virt_functions' maxCount='16')",
            ["BlueField-2", "BlueField2"]),
    ];

    /// <summary>Finds a model by key ("intel-e810") or by a name fragment ("E810", "X520"), case-insensitive.</summary>
    /// <summary>Finds a model by key ("intel-e810"), by a fragment of its name ("E810", "X520"), or by a captured model
    /// string that names its family ("Intel(R) Ethernet Controller X550", "MT27800 Family [ConnectX-5]"),
    /// case-insensitive. The most specific family token wins ("XL710" before "X710").</summary>
    public static NicModel? Find(string keyOrName)
    {
        var q = keyOrName.Trim();
        if (q.Length == 0) return null;
        return Models.FirstOrDefault(m => m.Key.Equals(q, StringComparison.OrdinalIgnoreCase))
            ?? Models.FirstOrDefault(m => m.Name.Contains(q, StringComparison.OrdinalIgnoreCase))
            ?? Models.SelectMany(m => (m.Matches ?? []).Select(t => (Model: m, Token: t)))
                .Where(x => (q + " ").Contains(x.Token, StringComparison.OrdinalIgnoreCase))
                .OrderByDescending(x => x.Token.Length)
                .Select(x => x.Model)
                .FirstOrDefault();
    }

    /// <summary>The VF ceiling to use: the live reading when the capture has one, else the catalog's per-port figure.</summary>
    public static int? EffectiveCeiling(int? liveReading, string model) => liveReading ?? Find(model)?.VfsPerPort;
}
