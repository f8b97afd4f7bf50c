using Twin.Events.Common;
using Twin.Events.Platforms;
using Twin.Host.Import;

namespace Twin.Host.Tests.Import;

public sealed class InventoryImporterTests
{
    /// <summary>Every real capture and the format it is read as.</summary>
    public static TheoryData<string, ImportFormat> Captures => new()
    {
        { "hyperv/Get-VMSwitch_select-all_fl.txt", ImportFormat.HyperVText },
        { "hyperv/vfpctrl_list-vmswitch-port_excerpt.txt", ImportFormat.HyperVText },
        { "iproute2/ip-link-show_pf_vfs_neutron-doc.txt", ImportFormat.IpLinkText },
        { "iproute2/mlx5_ibdev2netdev_lspci_iplink_device-plugin-doc.txt", ImportFormat.IpLinkText },
        { "k8s-device-plugin/kubectl_describe_node_allocatable_excerpt.txt", ImportFormat.K8sNodeAllocatable },
        { "k8s-device-plugin/node_status_allocatable.json", ImportFormat.K8sNodeAllocatable },
        { "k8s-device-plugin/sriovdp-configMap.yaml", ImportFormat.K8sDevicePluginConfig },
        { "libvirt-domain/net-hostdev-vfio.xml", ImportFormat.LibvirtDomain },
        { "libvirt-network/hostdev-pf-driver-model.xml", ImportFormat.LibvirtNetwork },
        { "libvirt-network/hostdev-pf.out.xml", ImportFormat.LibvirtNetwork },
        { "libvirt-network/hostdev.xml", ImportFormat.LibvirtNetwork },
        { "libvirt-network/passthrough-pf.xml", ImportFormat.LibvirtNetwork },
        { "libvirt-nodedev/pci_0000_02_10_7_sriov.xml", ImportFormat.LibvirtNodeDevice },
        { "libvirt-nodedev/pci_0000_02_10_7_sriov_pf_vfs_all.xml", ImportFormat.LibvirtNodeDevice },
        { "libvirt-nodedev/pci_0000_02_10_7_sriov_vfs.xml", ImportFormat.LibvirtNodeDevice },
        { "libvirt-nodedev/pci_0000_02_10_7_sriov_zero_vfs_max_count.xml", ImportFormat.LibvirtNodeDevice },
        { "libvirt-nodedev/pci_0000_42_00_0_vpd.xml", ImportFormat.LibvirtNodeDevice },
        { "libvirt-nodedev/pci_8086_10c9_sriov_pf.xml", ImportFormat.LibvirtNodeDevice },
        { "linux-sysfs/procfs_e810_0000-a2-00.0.ttar", ImportFormat.SysfsTtar },
        { "openstack/placement_get-allocation_candidates-1.29.json", ImportFormat.PlacementJson },
        { "openstack/placement_get-inventories.json", ImportFormat.PlacementJson },
        { "openstack/placement_get-resource_classes.json", ImportFormat.PlacementJson },
        { "openstack/placement_get-resource_provider_usages.json", ImportFormat.PlacementJson },
        { "openstack/placement_get-usages-1.38.json", ImportFormat.PlacementJson },
        { "prometheus/sriov-network-metrics-exporter_readme_sample.prom", ImportFormat.PrometheusSriovMetrics },
        { "sriov-network-operator/SriovNetworkNodePolicy_example.yaml", ImportFormat.K8sSriovNodePolicy },
        { "sriov-network-operator/SriovNetworkNodeState_status_after_policy_excerpt.yaml", ImportFormat.K8sSriovNodeState },
        { "sriov-network-operator/SriovNetworkNodeState_status_before_policy.yaml", ImportFormat.K8sSriovNodeState },
        { "sriov-network-operator/crd_sriovnetworknodestates.yaml", ImportFormat.K8sSriovNodeState },
        { "vmware/esxcli_intnet_sriovnic_vf_get.txt", ImportFormat.EsxcliIntnetVfGet },
        { "vmware/esxcli_network_sriovnic_vf_list_esxi8.txt", ImportFormat.EsxcliSriovNicVfList },
        { "vmware/esxcli_network_sriovnic_vf_list_pre803_decimal.txt", ImportFormat.EsxcliSriovNicVfList },
        { "vmware/esxcli_vm_process_list.txt", ImportFormat.EsxcliVmProcessList },
        { "vmware/vmware_host_sriov_return_sample.json", ImportFormat.VSphereSriovJson },
    };

    [Theory]
    [MemberData(nameof(Captures))]
    public void Every_real_capture_is_recognised_and_imports(string fixture, ImportFormat format)
    {
        var r = Fixtures.Import(fixture);
        Assert.Equal(format, Assert.Single(r.Files).Format);
        Assert.Equal(format, InventoryImporter.Detect(fixture, Fixtures.File(fixture).Text));
    }

    [Fact]
    public void The_list_of_captures_covers_every_file_in_samples_fixtures()
    {
        var files = Directory.EnumerateFiles(Fixtures.Folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Fixtures.Folder, f).Replace('\\', '/')).Where(f => f != "SOURCES.md").Order(StringComparer.Ordinal);
        Assert.Equal(files, Captures.Select(c => (string)c.Data.Item1).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Importing_the_same_captures_twice_gives_an_equal_topology_and_the_same_diagnostics()
    {
        var all = Captures.Select(c => (string)c.Data.Item1).ToArray();
        var first = Fixtures.Import(all);
        var second = Fixtures.Import(all);
        Assert.Equal(first.Topology, second.Topology);
        Assert.Equal(first.Diagnostics, second.Diagnostics);
        Assert.Equal(first.ObservedPools, second.ObservedPools);
        Assert.True(first.Topology.Nics.Count >= 10);
    }

    [Fact]
    public void The_topology_is_sorted_so_file_order_does_not_change_where_things_are_listed()
    {
        var a = Fixtures.Import("libvirt-nodedev/pci_0000_42_00_0_vpd.xml", "libvirt-nodedev/pci_8086_10c9_sriov_pf.xml", "linux-sysfs/procfs_e810_0000-a2-00.0.ttar");
        var b = Fixtures.Import("linux-sysfs/procfs_e810_0000-a2-00.0.ttar", "libvirt-nodedev/pci_8086_10c9_sriov_pf.xml", "libvirt-nodedev/pci_0000_42_00_0_vpd.xml");
        Assert.Equal(a.Topology, b.Topology);
        Assert.Equal(["host-1/0000:02:00.0", "host-1/0000:42:00.0", "host-1/0000:a2:00.0"], a.Topology.Nics.Select(n => n.Id.Value));
    }

    [Fact]
    public void A_directory_import_makes_a_host_of_each_sub_folder_and_gives_loose_files_the_given_host()
    {
        var root = Directory.CreateTempSubdirectory("twin-import-");
        try
        {
            void Copy(string fixture, string folder)
            {
                var dir = Directory.CreateDirectory(Path.Combine(root.FullName, folder));
                File.Copy(Path.Combine(Fixtures.Folder, fixture), Path.Combine(dir.FullName, Path.GetFileName(fixture)));
            }
            Copy("linux-sysfs/procfs_e810_0000-a2-00.0.ttar", "kvm-01");
            Copy("libvirt-nodedev/pci_0000_42_00_0_vpd.xml", "kvm-01/nodedev");
            Copy("libvirt-nodedev/pci_8086_10c9_sriov_pf.xml", "kvm-02");
            Copy("vmware/esxcli_network_sriovnic_vf_list_esxi8.txt", "esx-01");
            Copy("vmware/esxcli_vm_process_list.txt", "esx-01");
            Copy("hyperv/Get-VMSwitch_select-all_fl.txt", "hv-folder");
            Copy("libvirt-nodedev/pci_0000_02_10_7_sriov_zero_vfs_max_count.xml", ".");
            File.WriteAllText(Path.Combine(root.FullName, ".hidden"), "ignored");

            var files = CaptureFiles.Read([root.FullName], host: "loose-host");
            Assert.Equal(
                [("pci_0000_02_10_7_sriov_zero_vfs_max_count.xml", "loose-host"), ("esxcli_network_sriovnic_vf_list_esxi8.txt", "esx-01"),
                 ("esxcli_vm_process_list.txt", "esx-01"), ("Get-VMSwitch_select-all_fl.txt", "hv-folder"),
                 ("procfs_e810_0000-a2-00.0.ttar", "kvm-01"), ("pci_0000_42_00_0_vpd.xml", "kvm-01"), ("pci_8086_10c9_sriov_pf.xml", "kvm-02")],
                files.Select(f => (Path.GetFileName(f.SourceName), f.Host!)));
            var r = InventoryImporter.Import(files);
            // the Hyper-V capture names its host (ComputerName), which wins over the folder name
            Assert.Equal(["AMVAL-216-025", "esx-01", "kvm-01", "kvm-02", "loose-host"], r.Topology.Hosts.Select(h => h.Id.Value));
            Assert.Equal(Platform.VSphere, r.Topology.Hosts.Single(h => h.Id.Value == "esx-01").Platform);
            Assert.Equal(["kvm-01/0000:42:00.0", "kvm-01/0000:a2:00.0"], r.Topology.Nics.Where(n => n.Host.Value == "kvm-01").Select(n => n.Id.Value));
            Assert.Equal(3, r.Topology.VfHolders.Count);
            Assert.True(r.Says("the capture names its host 'AMVAL-216-025'"));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public void An_unknown_format_names_the_file_and_the_supported_formats()
    {
        var e = Assert.Throws<ImportException>(() => Fixtures.Text("notes.txt", "just some notes\nnothing to see\n"));
        Assert.StartsWith("notes.txt: is not a capture format Twin recognises. Supported formats: LibvirtNodeDevice, LibvirtNetwork", e.Message, StringComparison.Ordinal);
        Assert.Contains("--format", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Skip_unknown_turns_an_unrecognised_file_into_a_warning()
    {
        var r = InventoryImporter.Import([("notes.txt", "just notes"), Fixtures.File("libvirt-nodedev/pci_8086_10c9_sriov_pf.xml")], new ImportOptions(Host: "h", SkipUnknown: true));
        Assert.Single(r.Topology.Nics);
        Assert.Contains(r.Diagnostics, d => d is { Source: "notes.txt", Severity: DiagnosticSeverity.Warning });
    }

    [Fact]
    public void A_malformed_file_among_good_ones_fails_the_whole_import()
    {
        var bad = ("bad.xml", "<device><name>x</name><capability type='pci'><domain>0</domain><bus>two</bus></capability></device>");
        var e = Assert.Throws<ImportException>(() => InventoryImporter.Import([Fixtures.File("libvirt-nodedev/pci_8086_10c9_sriov_pf.xml"), bad], new ImportOptions(Host: "h")));
        Assert.StartsWith("bad.xml line 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("<bus>two</bus> is not a number", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_explicit_format_skips_detection_and_format_names_accept_short_aliases()
    {
        Assert.Equal(ImportFormat.LibvirtNodeDevice, ImportFormats.Parse("nodedev"));
        Assert.Equal(ImportFormat.EsxcliSriovNicVfList, ImportFormats.Parse("EsxcliSriovNicVfList"));
        Assert.Throws<ArgumentException>(() => ImportFormats.Parse("csv"));
        var (name, text) = Fixtures.File("vmware/esxcli_network_sriovnic_vf_list_esxi8.txt");
        var r = InventoryImporter.Import([(name, text)], new ImportOptions(Host: "esx", Format: ImportFormat.EsxcliSriovNicVfList));
        Assert.Equal(8, Assert.Single(r.Topology.Nics).ConfiguredVfs);
    }

    [Fact]
    public void A_capture_read_from_a_text_reader_imports_like_a_string()
    {
        var (name, text) = Fixtures.File("linux-sysfs/procfs_e810_0000-a2-00.0.ttar");
        var r = InventoryImporter.Import(name, new StringReader(text), new ImportOptions(Host: "h"));
        Assert.Equal(Fixtures.ImportAs("h", "linux-sysfs/procfs_e810_0000-a2-00.0.ttar").Topology, r.Topology);
    }

    [Fact]
    public void A_capture_without_any_host_name_uses_localhost_and_says_so()
    {
        var r = InventoryImporter.Import([Fixtures.File("linux-sysfs/procfs_e810_0000-a2-00.0.ttar")]);
        Assert.Equal(new HostId("localhost"), Assert.Single(r.Topology.Hosts).Id);
        Assert.True(r.Says("no host name"));
    }

    [Fact]
    public void Captures_of_two_platforms_on_one_host_are_reported_while_assumed_kvm_gives_way_silently()
    {
        var mixed = Fixtures.ImportAs("h", "linux-sysfs/procfs_e810_0000-a2-00.0.ttar", "hyperv/vfpctrl_list-vmswitch-port_excerpt.txt");
        Assert.Equal(Platform.HyperV, Assert.Single(mixed.Topology.Hosts).Platform);
        Assert.True(mixed.Says("captures of different platforms"));

        var assumed = Fixtures.ImportAs("h", "k8s-device-plugin/node_status_allocatable.json", "vmware/esxcli_vm_process_list.txt");
        Assert.Equal(Platform.VSphere, Assert.Single(assumed.Topology.Hosts).Platform);
        Assert.False(assumed.Says("captures of different platforms"));
    }

    [Fact]
    public void Merging_two_imports_with_topology_merge_keeps_both_hosts()
    {
        var a = Fixtures.ImportAs("kvm-01", "linux-sysfs/procfs_e810_0000-a2-00.0.ttar").Topology;
        var b = Fixtures.ImportAs("kvm-02", "libvirt-nodedev/pci_0000_42_00_0_vpd.xml").Topology;
        var merged = a.Merge(b);
        Assert.Equal(2, merged.Hosts.Count);
        Assert.Equal(2, merged.Nics.Count);
    }
}
