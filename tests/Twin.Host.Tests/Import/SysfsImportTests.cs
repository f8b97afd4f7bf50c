using Twin.Events.Common;
using Twin.Events.Nics;
using Twin.Host.Import;

namespace Twin.Host.Tests.Import;

public sealed class SysfsImportTests
{
    /// <summary>Hand-written ttar: a PF 0000:3b:00.0 (netdev ens1f0) with 2 of 64 VFs, and its VF 0000:3b:02.1.</summary>
    private static string Ttar(string numvfs = "2", string totalvfs = "64", string netdev = "ens1f0") => $"""
        Directory: sys/bus/pci/devices/0000:3b:00.0
        Mode: 755
        # ttar - - -
        Path: sys/bus/pci/devices/0000:3b:00.0/vendor
        Lines: 1
        0x8086
        Mode: 444
        # ttar - - -
        Path: sys/bus/pci/devices/0000:3b:00.0/device
        Lines: 1
        0x1572
        Mode: 444
        # ttar - - -
        Path: sys/bus/pci/devices/0000:3b:00.0/sriov_totalvfs
        Lines: 1
        {totalvfs}
        Mode: 444
        # ttar - - -
        Path: sys/bus/pci/devices/0000:3b:00.0/sriov_numvfs
        Lines: 1
        {numvfs}
        Mode: 644
        # ttar - - -
        Path: sys/bus/pci/devices/0000:3b:00.0/numa_node
        Lines: 1
        -1
        Mode: 444
        # ttar - - -
        Path: sys/bus/pci/devices/0000:3b:00.0/driver
        SymlinkTo: ../../../bus/pci/drivers/i40e
        # ttar - - -
        Path: sys/bus/pci/devices/0000:3b:00.0/virtfn0
        SymlinkTo: ../0000:3b:02.0
        # ttar - - -
        Path: sys/bus/pci/devices/0000:3b:00.0/virtfn1
        SymlinkTo: ../0000:3b:02.1
        # ttar - - -
        Directory: sys/bus/pci/devices/0000:3b:00.0/net/{netdev}
        Mode: 755
        # ttar - - -
        Path: sys/bus/pci/devices/0000:3b:00.0/net/{netdev}/speed
        Lines: 1
        10000
        Mode: 444
        # ttar - - -
        Path: sys/bus/pci/devices/0000:3b:02.1/vendor
        Lines: 1
        0x8086
        Mode: 444
        # ttar - - -
        Path: sys/bus/pci/devices/0000:3b:02.1/physfn
        SymlinkTo: ../0000:3b:00.0
        # ttar - - -
        """;

    [Fact]
    public void The_e810_capture_has_totalvfs_128_numvfs_0_numa_1_intel_ice_and_netdev_enp162s0f0np0()
    {
        var r = Fixtures.Import("linux-sysfs/procfs_e810_0000-a2-00.0.ttar");
        var nic = Assert.Single(r.Topology.Nics);
        Assert.Equal(NicId.Of(new HostId("host-1"), "0000:a2:00.0"), nic.Id);
        Assert.Equal((128, 0, 1, NicVendor.Intel), (nic.MaxVfs, nic.ConfiguredVfs, nic.NumaNode, nic.Vendor));
        Assert.Equal(("enp162s0f0np0", "ice", "159b"), (nic.NetdevName, nic.Driver, nic.DeviceId));
        Assert.False(nic.SriovEnabled);
        Assert.True(nic.PfDriverSupportsSriov);
        Assert.Equal(Twin.Events.Platforms.Platform.Kvm, Assert.Single(r.Topology.Hosts).Platform);
    }

    [Fact]
    public void Virtfn_links_give_each_vf_its_index_and_a_physfn_link_marks_a_vf()
    {
        var r = Fixtures.Text("sys.ttar", Ttar());
        var nic = Assert.Single(r.Topology.Nics);
        Assert.Equal((64, 2, 0, 10_000, "ens1f0", "i40e"), (nic.MaxVfs, nic.ConfiguredVfs, nic.NumaNode, nic.LinkMbps, nic.NetdevName, nic.Driver));
        Assert.DoesNotContain(r.Diagnostics, d => d.Severity == DiagnosticSeverity.Warning);
    }

    [Fact]
    public void A_sysfs_directory_tree_with_real_symlinks_imports_like_its_ttar()
    {
        var root = Directory.CreateTempSubdirectory("twin-sysfs-");
        try
        {
            var devices = Directory.CreateDirectory(Path.Combine(root.FullName, "sys", "devices", "pci0000:3a", "0000:3b:00.0"));
            var vf = Directory.CreateDirectory(Path.Combine(root.FullName, "sys", "devices", "pci0000:3a", "0000:3b:02.1"));
            Directory.CreateDirectory(Path.Combine(root.FullName, "sys", "devices", "pci0000:3a", "0000:3b:02.0"));
            File.WriteAllText(Path.Combine(devices.FullName, "vendor"), "0x8086\n");
            File.WriteAllText(Path.Combine(devices.FullName, "device"), "0x1572\n");
            File.WriteAllText(Path.Combine(devices.FullName, "class"), "0x020000\n");
            File.WriteAllText(Path.Combine(devices.FullName, "sriov_totalvfs"), "64\n");
            File.WriteAllText(Path.Combine(devices.FullName, "sriov_numvfs"), "2\n");
            File.WriteAllText(Path.Combine(devices.FullName, "numa_node"), "0\n");
            File.CreateSymbolicLink(Path.Combine(devices.FullName, "virtfn0"), "../0000:3b:02.0");
            File.CreateSymbolicLink(Path.Combine(devices.FullName, "virtfn1"), "../0000:3b:02.1");
            Directory.CreateDirectory(Path.Combine(devices.FullName, "net", "ens1f0"));
            File.WriteAllText(Path.Combine(devices.FullName, "net", "ens1f0", "speed"), "25000\n");
            File.WriteAllText(Path.Combine(vf.FullName, "vendor"), "0x8086\n");
            File.CreateSymbolicLink(Path.Combine(vf.FullName, "physfn"), "../0000:3b:00.0");

            var files = CaptureFiles.Read([Path.Combine(root.FullName, "sys")], host: "kvm-07");
            var capture = Assert.Single(files);
            Assert.Equal("kvm-07", capture.Host);
            var r = InventoryImporter.Import(files);
            var nic = Assert.Single(r.Topology.Nics);
            Assert.Equal(NicId.Of(new HostId("kvm-07"), "0000:3b:00.0"), nic.Id);
            Assert.Equal((64, 2, 25_000, "ens1f0"), (nic.MaxVfs, nic.ConfiguredVfs, nic.LinkMbps, nic.NetdevName));
            Assert.DoesNotContain(r.Diagnostics, d => d.Severity == DiagnosticSeverity.Warning);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_nodedev_vf_list_and_sysfs_numvfs_that_agree_merge_into_one_nic_silently()
    {
        const string nodedev = """
            <device>
              <name>pci_0000_3b_00_0</name>
              <capability type='pci'>
                <class>0x020000</class>
                <domain>0</domain><bus>59</bus><slot>0</slot><function>0</function>
                <product id='0x1572'>Ethernet Controller X710 for 10GbE SFP+</product>
                <vendor id='0x8086'>Intel Corporation</vendor>
                <capability type='virt_functions' maxCount='64'>
                  <address domain='0x0000' bus='0x3b' slot='0x02' function='0x0'/>
                  <address domain='0x0000' bus='0x3b' slot='0x02' function='0x1'/>
                </capability>
                <numa node='-1'/>
              </capability>
            </device>
            """;
        var r = InventoryImporter.Import([("nodedev.xml", nodedev), ("sys.ttar", Ttar())], new ImportOptions(Host: "kvm-01"));
        var nic = Assert.Single(r.Topology.Nics);
        Assert.Equal((64, 2, "Intel Ethernet Controller X710 for 10GbE SFP+"), (nic.MaxVfs, nic.ConfiguredVfs, nic.Model));
        Assert.DoesNotContain(r.Diagnostics, d => d.Severity == DiagnosticSeverity.Warning);
    }

    [Fact]
    public void Captures_that_disagree_on_numvfs_give_a_diagnostic_and_the_later_one_wins()
    {
        var r = InventoryImporter.Import([("before.ttar", Ttar(numvfs: "2")), ("after.ttar", Ttar(numvfs: "4"))], new ImportOptions(Host: "kvm-01"));
        Assert.Equal(4, Assert.Single(r.Topology.Nics).ConfiguredVfs);
        var d = Assert.Single(r.Diagnostics, d => d.Message.Contains("VFs configured: 2 in an earlier capture, 4 here", StringComparison.Ordinal));
        Assert.Equal(("after.ttar", DiagnosticSeverity.Warning), (d.Source, d.Severity));
    }

    [Fact]
    public void The_nic_is_keyed_by_pci_address_so_a_renamed_netdev_is_still_the_same_nic()
    {
        var r = InventoryImporter.Import([("boot1.ttar", Ttar(netdev: "eth0")), ("boot2.ttar", Ttar(netdev: "ens1f0"))], new ImportOptions(Host: "kvm-01"));
        var nic = Assert.Single(r.Topology.Nics);
        Assert.Equal(("0000:3b:00.0", "ens1f0"), (nic.PciAddress, nic.NetdevName));
        Assert.True(r.Says("netdev names change"));
    }

    [Fact]
    public void A_non_numeric_sriov_totalvfs_names_the_file_line_and_attribute()
    {
        var e = Assert.Throws<ImportException>(() => Fixtures.Text("sys.ttar", Ttar(totalvfs: "many")));
        Assert.StartsWith("sys.ttar line 16", e.Message, StringComparison.Ordinal);
        Assert.Contains("0000:3b:00.0/sriov_totalvfs 'many' is not a number", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ttar_record_with_a_bad_line_count_names_the_line()
    {
        var e = Assert.Throws<ImportException>(() => Fixtures.Text("sys.ttar", "# ttar - -\nPath: sys/x/vendor\nLines: two\n0x8086\nMode: 444\n"));
        Assert.StartsWith("sys.ttar line 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("Lines: 'two' is not a number", e.Message, StringComparison.Ordinal);
    }
}
