using Twin.Events.Common;
using Twin.Events.Inventory;
using Twin.Events.Platforms;
using Twin.Events.Switches;
using Twin.Host.Import;

namespace Twin.Host.Tests.Import;

public sealed class EsxiImportTests
{
    /// <summary>Hand-written session in the shape of the Cisco VIC documentation's capture: a prompt naming the host,
    /// <c>esxcli network sriovnic list</c>, then the pre-8.0u3 VF list whose decimal bus 027 is the PF's bus 0x1b.</summary>
    private const string Session = """
        [root@esx01:~] esxcli network sriovnic list
        Name    PCI Device    Driver  Link  Speed  Duplex  MAC Address         MTU  Description
        ----------------------------------------------------------------------------------------------------------
        vmnic0  0000:1b:00.0  nenic   Up    50000  Full    f4:ee:31:30:80:40  1500  Cisco Systems Inc Cisco VIC Ethernet NIC
        [root@esx01:~] esxcli network sriovnic vf list -n vmnic0
        VF ID  Active  PCI Address     Owner World ID
        0   false  00000:027:00.1   -
        1   true   00000:027:00.2   2104268
        2   false  00000:027:00.3   -
        [root@esx01:~] esxcli vm process list
        FR-9-Sophia
           World ID: 2104268
           Process ID: 0
           VMX Cartel ID: 2104267
           Display Name: FR-9-Sophia
        """;

    private static Observations Parse(string source, string text, ImportFormat format)
    {
        var obs = new Observations(source, format);
        EsxcliParser.Parse(text, format, new ParseContext(source, obs));
        return obs;
    }

    [Fact]
    public void Esxi8_vf_list_and_vm_process_list_name_the_owners_of_the_active_vfs()
    {
        var r = Fixtures.ImportAs("esx-01", "vmware/esxcli_network_sriovnic_vf_list_esxi8.txt", "vmware/esxcli_vm_process_list.txt");
        var host = Assert.Single(r.Topology.Hosts);
        Assert.Equal(Platform.VSphere, host.Platform);
        var nic = Assert.Single(r.Topology.Nics);
        Assert.Equal((8, true), (nic.ConfiguredVfs, nic.SriovEnabled));
        Assert.Equal(
            [(1, "FR-9-Sophia"), (3, "FR-cli7-monica"), (7, "FR-cli7-monica")],
            r.Topology.VfHolders.Select(h => (h.VfIndex, h.Vm.Value)));
        var monica = r.Topology.Vms.Single(v => v.Id.Value == "FR-cli7-monica");
        Assert.Equal(2, monica.Vnics.Count);
        Assert.All(monica.Vnics, v => Assert.True(v.WantsVf));
        var sw = r.Topology.Switches.Single(s => s.Id == monica.Vnics[0].Switch);
        Assert.Equal((SwitchKind.External, true, nic.Id), (sw.Kind, sw.IovEnabled, sw.BoundNic));
        Assert.Contains(r.ObservedPools, p => p is { Name: "ESXi active VFs", Capacity: 8, Used: 5 });
        // world 2103475 (VF 0 and VF 5) is in no process list
        Assert.Equal(2, r.Diagnostics.Count(d => d.Message.Contains("world 2103475", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_pre_8_0u3_decimal_address_00000_134_02_0_is_pci_0000_86_02_0()
    {
        var (name, text) = Fixtures.File("vmware/esxcli_network_sriovnic_vf_list_pre803_decimal.txt");
        var obs = Parse(name, text, ImportFormat.EsxcliSriovNicVfList);
        Assert.Equal(["0000:86:02.0", "0000:86:02.1"], obs.Vfs.Select(v => v.VfPci));
        Assert.Equal([0, 1], obs.Vfs.Select(v => v.Index!.Value));
        Assert.Equal(2, Assert.Single(Fixtures.Import("vmware/esxcli_network_sriovnic_vf_list_pre803_decimal.txt").Topology.Nics).ConfiguredVfs);
    }

    [Fact]
    public void A_session_names_its_host_keys_the_pf_by_pci_and_converts_decimal_vf_addresses()
    {
        var r = Fixtures.Text("esx01-session.txt", Session, host: null);
        Assert.Equal(ImportFormat.EsxcliSession, r.Files[0].Format);
        var nic = r.Nic("esx01", "0000:1b:00.0");
        Assert.Equal((3, 50_000, "nenic"), (nic.ConfiguredVfs, nic.LinkMbps, nic.Driver));
        Assert.Equal(new VfHolderSpec(nic.Id, 1, new VmId("FR-9-Sophia"), "sriov-vmnic0-vf1"), Assert.Single(r.Topology.VfHolders));
        var obs = Parse("esx01-session.txt", Session, ImportFormat.EsxcliSession);
        Assert.Equal(["0000:1b:00.1", "0000:1b:00.2", "0000:1b:00.3"], obs.Vfs.Select(v => v.VfPci));
        Assert.DoesNotContain(r.Diagnostics, d => d.Severity == DiagnosticSeverity.Warning);
    }

    [Fact]
    public void The_vsphere_sample_shows_8_vfs_requested_0_in_effect_pending_a_reboot()
    {
        var r = Fixtures.Import("vmware/vmware_host_sriov_return_sample.json");
        var host = Assert.Single(r.Topology.Hosts);
        Assert.Equal((new HostId("host_test"), Platform.VSphere), (host.Id, host.Platform));
        var nic = Assert.Single(r.Topology.Nics);
        Assert.Equal((63, 0, 8, false, true), (nic.MaxVfs, nic.ConfiguredVfs, nic.RequestedVfs, nic.SriovEnabled, nic.PfDriverSupportsSriov));
        Assert.True(r.Says("8 VFs requested, 0 in effect: pending a host reboot (rebootRequired)"));
    }

    [Fact]
    public void Raw_host_sriov_info_objects_are_keyed_by_their_pci_id()
    {
        const string json = """
            [
              { "id": "0000:3b:00.0", "passthruEnabled": false, "sriovEnabled": true, "sriovCapable": true, "sriovActive": true,
                "numVirtualFunctionRequested": 16, "numVirtualFunction": 16, "maxVirtualFunctionSupported": 64 }
            ]
            """;
        var r = Fixtures.Text("hostsriov.json", json, host: "esx-02");
        var nic = r.Nic("esx-02", "0000:3b:00.0");
        Assert.Equal((64, 16, (int?)null, true), (nic.MaxVfs, nic.ConfiguredVfs, nic.RequestedVfs, nic.SriovEnabled));
    }

    [Fact]
    public void A_host_summary_reboot_required_and_its_pci_passthru_info_give_the_pending_vf_count()
    {
        // Hand-written in the shape of a HostSystem read through the vSphere API (name, summary, config.pciPassthruInfo).
        const string json = """
            {
              "name": "esx-03",
              "summary": { "rebootRequired": true },
              "config": {
                "pciPassthruInfo": [
                  { "_typeName": "HostPciPassthruInfo", "id": "0000:00:1f.6", "passthruEnabled": false },
                  { "_typeName": "HostSriovInfo", "id": "0000:5e:00.1", "passthruEnabled": false, "sriovEnabled": true, "sriovCapable": true,
                    "sriovActive": true, "numVirtualFunctionRequested": 8, "numVirtualFunction": 4, "maxVirtualFunctionSupported": 63 }
                ]
              }
            }
            """;
        var r = Fixtures.Text("esx-03.json", json, host: null);
        var nic = r.Nic("esx-03", "0000:5e:00.1");
        Assert.Equal((63, 4, 8, true), (nic.MaxVfs, nic.ConfiguredVfs, nic.RequestedVfs, nic.SriovEnabled));
        Assert.True(r.Says("8 VFs requested, 4 in effect: pending a host reboot (rebootRequired)"));
    }

    [Fact]
    public void A_non_numeric_vf_id_names_the_file_line_and_column()
    {
        var text = Fixtures.File("vmware/esxcli_network_sriovnic_vf_list_esxi8.txt").Text.Replace("3      true", "x      true", StringComparison.Ordinal);
        var e = Assert.Throws<ImportException>(() => Fixtures.Text("vf-list.txt", text));
        Assert.Equal("vf-list.txt line 6: VF ID 'x' is not a number", e.Message);
    }

    [Fact]
    public void A_malformed_vf_address_names_the_file_line_and_column()
    {
        var text = Fixtures.File("vmware/esxcli_network_sriovnic_vf_list_pre803_decimal.txt").Text.Replace("00000:134:02.1", "00000:999:02.1", StringComparison.Ordinal);
        var e = Assert.Throws<ImportException>(() => Fixtures.Text("vf-list.txt", text));
        Assert.Equal("vf-list.txt line 4: PCI Address '00000:999:02.1' is not a PCI address", e.Message);
    }

    [Fact]
    public void A_non_numeric_ceiling_in_vsphere_json_names_the_line_column_and_field()
    {
        var text = Fixtures.File("vmware/vmware_host_sriov_return_sample.json").Text.Replace("\"maxVirtualFunctionSupported\": 63,\n                \"numVirtualFunction\": 0,\n                \"numVirtualFunctionRequested\": 8", "\"maxVirtualFunctionSupported\": \"lots\",\n                \"numVirtualFunction\": 0,\n                \"numVirtualFunctionRequested\": 8", StringComparison.Ordinal);
        var e = Assert.Throws<ImportException>(() => Fixtures.Text("sriov.json", text));
        Assert.StartsWith("sriov.json line 8, column 48", e.Message, StringComparison.Ordinal);
        Assert.Contains("diff.after.host_test.maxVirtualFunctionSupported 'lots' is not a number", e.Message, StringComparison.Ordinal);
    }
}
