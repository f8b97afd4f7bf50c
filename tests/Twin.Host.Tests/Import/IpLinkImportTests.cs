using Twin.Events.Nics;
using Twin.Host.Import;

namespace Twin.Host.Tests.Import;

public sealed class IpLinkImportTests
{
    // Hand-written sysfs naming eth3's PCI address (the neutron capture's PF).
    private const string Eth3Sysfs = """
        Path: sys/bus/pci/devices/0000:81:00.0/vendor
        Lines: 1
        0x8086
        Mode: 444
        Path: sys/bus/pci/devices/0000:81:00.0/sriov_totalvfs
        Lines: 1
        63
        Mode: 444
        Path: sys/bus/pci/devices/0000:81:00.0/sriov_numvfs
        Lines: 1
        8
        Mode: 644
        Directory: sys/bus/pci/devices/0000:81:00.0/net/eth3
        Mode: 755
        """;

    // Hand-written `ip -d -j link` output (shape of iproute2's JSON: ifname, vfinfo_list[].vf, parentbus/parentdev).
    private const string IpJson = """
        [ {
            "ifindex": 4,
            "ifname": "ens785f2",
            "flags": [ "BROADCAST","MULTICAST","UP","LOWER_UP" ],
            "mtu": 1500,
            "operstate": "UP",
            "address": "3c:fd:fe:00:00:01",
            "vfinfo_list": [ {
                    "vf": 0,
                    "address": "00:00:00:00:00:00",
                    "spoofchk": true,
                    "link_state": "auto",
                    "trust": false
                },{
                    "vf": 1,
                    "address": "00:00:00:00:00:00",
                    "spoofchk": true,
                    "link_state": "auto",
                    "trust": false
                } ],
            "parentbus": "pci",
            "parentdev": "0000:02:00.2"
        },{
            "ifindex": 1,
            "ifname": "lo",
            "flags": [ "LOOPBACK","UP","LOWER_UP" ],
            "mtu": 65536
        } ]
        """;

    [Fact]
    public void The_neutron_ip_link_capture_alone_reports_eth3_with_8_vfs_but_creates_no_nic_keyed_by_name()
    {
        var r = Fixtures.Import("iproute2/ip-link-show_pf_vfs_neutron-doc.txt");
        Assert.Equal(ImportFormat.IpLinkText, r.Files[0].Format);
        Assert.Empty(r.Topology.Nics);
        var d = Assert.Single(r.Diagnostics, d => d.Severity == DiagnosticSeverity.Warning);
        Assert.Contains("netdev eth3 (8 VFs configured) has no PCI address", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_the_hosts_sysfs_the_ip_link_vf_count_lands_on_the_pf_by_pci_address()
    {
        var r = InventoryImporter.Import([("sys.ttar", Eth3Sysfs), Fixtures.File("iproute2/ip-link-show_pf_vfs_neutron-doc.txt")], new ImportOptions(Host: "compute-1"));
        var nic = r.Nic("compute-1", "0000:81:00.0");
        Assert.Equal((8, 63, "eth3"), (nic.ConfiguredVfs, nic.MaxVfs, nic.NetdevName));
        Assert.DoesNotContain(r.Diagnostics, d => d.Severity == DiagnosticSeverity.Warning);
    }

    [Fact]
    public void The_mlx5_transcript_gives_two_connectx4_pfs_with_4_vfs_on_enp2s0f0()
    {
        var r = Fixtures.Import("iproute2/mlx5_ibdev2netdev_lspci_iplink_device-plugin-doc.txt");
        Assert.Equal(["host-1/0000:02:00.0", "host-1/0000:02:00.1"], r.Topology.Nics.Select(n => n.Id.Value));
        var pf0 = r.Nic("host-1", "0000:02:00.0");
        Assert.Equal((4, true, NicVendor.Mellanox, "enp2s0f0"), (pf0.ConfiguredVfs, pf0.SriovEnabled, pf0.Vendor, pf0.NetdevName));
        Assert.Contains("ConnectX-4", pf0.Model, StringComparison.Ordinal);
        Assert.Equal((0, "enp2s0f1"), (r.Nic("host-1", "0000:02:00.1").ConfiguredVfs, r.Nic("host-1", "0000:02:00.1").NetdevName));
    }

    [Fact]
    public void Ip_json_with_parentdev_keys_the_pf_by_pci_and_counts_its_vfs()
    {
        var r = Fixtures.Text("ip-link.json", IpJson);
        Assert.Equal(ImportFormat.IpLinkJson, r.Files[0].Format);
        var nic = r.Nic("host-1", "0000:02:00.2");
        Assert.Equal((2, true, "ens785f2"), (nic.ConfiguredVfs, nic.SriovEnabled, nic.NetdevName));
    }

    [Fact]
    public void Ip_json_plus_exporter_metrics_of_the_same_host_agree_on_8_vfs()
    {
        var json = IpJson.Replace("\"vfinfo_list\"", "\"num_vf\": 8, \"vfinfo_list\"", StringComparison.Ordinal);
        var r = InventoryImporter.Import([("ip.json", json), Fixtures.File("prometheus/sriov-network-metrics-exporter_readme_sample.prom")], new ImportOptions(Host: "h"));
        var nic = r.Nic("h", "0000:02:00.2");
        Assert.Equal(8, nic.ConfiguredVfs);
        Assert.DoesNotContain(r.Diagnostics, d => d.Severity == DiagnosticSeverity.Warning);
    }

    [Fact]
    public void A_non_numeric_vf_index_in_ip_json_names_the_file_line_column_and_field()
    {
        var e = Assert.Throws<ImportException>(() => Fixtures.Text("ip-link.json", IpJson.Replace("\"vf\": 1,", "\"vf\": \"one\",", StringComparison.Ordinal)));
        Assert.StartsWith("ip-link.json line 15, column 19", e.Message, StringComparison.Ordinal);
        Assert.Contains("[0].vfinfo_list[1].vf 'one' is not a number", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_json_names_the_line_and_column()
    {
        var e = Assert.Throws<ImportException>(() => Fixtures.Text("ip-link.json", "[ {\n  \"ifname\": \"eth0\",\n  \"vfinfo_list\": [ }\n]"));
        Assert.StartsWith("ip-link.json line 3, column 20", e.Message, StringComparison.Ordinal);
    }
}
