using Twin.Events.Chipsets;
using Twin.Events.Common;
using Twin.Events.Inventory;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Host.Import;

namespace Twin.Host.Tests.Import;

/// <summary>
/// The JSON inputs here are HAND-WRITTEN (there is no real ConvertTo-Json capture among the fixtures), following the
/// documented property names of Get-VMSwitch, Get-VMHost, Get-NetAdapterSriov (MSFT_NetAdapterSriovSettingData),
/// Get-VMNetworkAdapter, Get-NetAdapterSriovVf and Get-NetAdapterHardwareInfo, and PowerShell's ConvertTo-Json habits:
/// enums as integers, a one-element array as a bare value.
/// </summary>
public sealed class HyperVImportTests
{
    private const string SwitchJsonAsPowerShellWritesIt = """
        {
            "Name":  "vSwitch-IOV",
            "Id":  "5d81e4bb-3056-4ba3-a7a5-469aeafb366d",
            "SwitchType":  2,
            "IovEnabled":  true,
            "IovSupport":  true,
            "IovSupportReasons":  "Ready",
            "NetAdapterInterfaceDescription":  "Mellanox ConnectX-4 Lx Ethernet Adapter",
            "NetAdapterInterfaceDescriptions":  "Mellanox ConnectX-4 Lx Ethernet Adapter",
            "IovVirtualFunctionCount":  16,
            "IovVirtualFunctionsInUse":  3,
            "IovQueuePairCount":  127,
            "IovQueuePairsInUse":  10,
            "ComputerName":  "HV01"
        }
        """;

    private const string SwitchJsonWithNamesAndArrays = """
        [
          {
            "Name": "vSwitch-IOV",
            "SwitchType": "External",
            "IovEnabled": true,
            "IovSupport": true,
            "IovSupportReasons": [ "Ready" ],
            "NetAdapterInterfaceDescription": "Mellanox ConnectX-4 Lx Ethernet Adapter",
            "NetAdapterInterfaceDescriptions": [ "Mellanox ConnectX-4 Lx Ethernet Adapter" ],
            "IovVirtualFunctionCount": 16,
            "IovVirtualFunctionsInUse": 3,
            "IovQueuePairCount": 127,
            "IovQueuePairsInUse": 10,
            "ComputerName": "HV01"
          }
        ]
        """;

    private const string HostJson = """
        {
            "ComputerName":  "HV01",
            "Name":  "HV01",
            "LogicalProcessorCount":  48,
            "MemoryCapacity":  274877906944,
            "IovSupport":  false,
            "IovSupportReasons":  "To use SR-IOV on this system, the system BIOS must be updated to allow Windows to control PCI Express. Contact your system manufacturer for an update."
        }
        """;

    private const string AdaptersJson = """
        [
            {
                "Name":  "Network Adapter",
                "Id":  "Microsoft:1A2B3C4D-0000-0000-0000-000000000001\\6E1F0B3A-7E2A-4C55-9E3B-1D2C3B4A5F60",
                "VMName":  "sql-01",
                "SwitchName":  "vSwitch-IOV",
                "IsManagementOs":  false,
                "IovWeight":  100,
                "IovQueuePairsRequested":  4,
                "IovQueuePairsAssigned":  4,
                "IovUsage":  1,
                "ComputerName":  "HV01"
            },
            {
                "Name":  "Network Adapter",
                "VMName":  "web-01",
                "SwitchName":  "vSwitch-IOV",
                "IsManagementOs":  false,
                "IovWeight":  0,
                "IovQueuePairsRequested":  1,
                "IovUsage":  0,
                "ComputerName":  "HV01"
            },
            {
                "Name":  "vSwitch-IOV",
                "VMName":  "",
                "SwitchName":  "vSwitch-IOV",
                "IsManagementOs":  true,
                "IovWeight":  0,
                "ComputerName":  "HV01"
            }
        ]
        """;

    private const string SriovJson = """
        {
            "Name":  "SLOT 3 Port 1",
            "InterfaceDescription":  "Mellanox ConnectX-4 Lx Ethernet Adapter",
            "Enabled":  true,
            "SriovSupport":  1,
            "SwitchType":  1,
            "NumVFs":  16,
            "NumAllocatedVFs":  3,
            "NumVPorts":  64,
            "SystemName":  "HV01.contoso.com"
        }
        """;

    private const string VfJson = """
        {
            "Name":  "SLOT 3 Port 1",
            "FunctionID":  5,
            "VmFriendlyName":  "sql-01",
            "VmNicID":  "6E1F0B3A-7E2A-4C55-9E3B-1D2C3B4A5F60",
            "SystemName":  "HV01"
        }
        """;

    private const string HardwareJson = """
        {
            "Name":  "SLOT 3 Port 1",
            "InterfaceDescription":  "Mellanox ConnectX-4 Lx Ethernet Adapter",
            "SegmentNumber":  0,
            "BusNumber":  59,
            "DeviceNumber":  0,
            "FunctionNumber":  0,
            "NumaNode":  1,
            "SystemName":  "HV01"
        }
        """;

    [Fact]
    public void The_real_get_vmswitch_capture_is_an_external_switch_without_iov_on_an_intel_x550()
    {
        var r = Fixtures.Import("hyperv/Get-VMSwitch_select-all_fl.txt");
        var host = Assert.Single(r.Topology.Hosts);
        Assert.Equal((new HostId("AMVAL-216-025"), Platform.HyperV), (host.Id, host.Platform));
        var nicId = NicId.Of(host.Id, "Intel(R) Ethernet Controller X550");
        Assert.Equal(new SwitchSpec(new SwitchId("AMVAL-216-025/managementvSwitch"), host.Id, "managementvSwitch", SwitchKind.External, nicId, false),
            Assert.Single(r.Topology.Switches));
        var nic = Assert.Single(r.Topology.Nics);
        Assert.Equal((nicId, NicVendor.Intel, 0, 127, true, false), (nic.Id, nic.Vendor, nic.ConfiguredVfs, nic.QueuePairs, nic.PfDriverSupportsSriov, nic.SriovEnabled));
        // Get-VMSwitch gives no VF ceiling: the catalog's ixgbe figure stands in, and the import says so
        Assert.Equal(63, nic.MaxVfs);
        Assert.True(r.Says("no capture gives its VF ceiling; 63 VFs per port from the NIC catalog (Intel X550 (ixgbe)"));
        Assert.Contains(r.ObservedPools, p => p is { Name: "Hyper-V queue pairs", Capacity: 127, Used: 8 });
        Assert.True(r.Says("keyed provisionally"));
    }

    [Fact]
    public void Enums_written_as_integers_and_one_element_arrays_written_as_values_read_like_names_and_arrays()
    {
        var asIntegers = Fixtures.Text("switch-ps51.json", SwitchJsonAsPowerShellWritesIt, host: null);
        var asNames = Fixtures.Text("switch-ps51.json", SwitchJsonWithNamesAndArrays, host: null);
        Assert.Equal(asNames.Topology, asIntegers.Topology);
        var sw = Assert.Single(asIntegers.Topology.Switches);
        Assert.Equal((SwitchKind.External, true), (sw.Kind, sw.IovEnabled));
        Assert.Equal((16, 127), (asIntegers.Topology.Nics[0].ConfiguredVfs, asIntegers.Topology.Nics[0].QueuePairs));
    }

    [Theory]
    [InlineData(0, SwitchKind.Private)]
    [InlineData(1, SwitchKind.Internal)]
    [InlineData(2, SwitchKind.External)]
    public void Switch_type_integers_are_0_private_1_internal_2_external(int value, SwitchKind kind)
    {
        var json = SwitchJsonAsPowerShellWritesIt.Replace("\"SwitchType\":  2", $"\"SwitchType\":  {value}", StringComparison.Ordinal);
        Assert.Equal(kind, Assert.Single(Fixtures.Text("s.json", json).Topology.Switches).Kind);
    }

    [Theory]
    [InlineData("2", "MissingAcs")]
    [InlineData("\"MissingAcs\"", "MissingAcs")]
    [InlineData("5", "NoIoMmuSupport")]
    [InlineData("7", "NoOscSupport")]
    public void Sriov_support_integers_map_to_the_windows_reasons_on_the_hosts_chipset(string value, string reason)
    {
        var json = SriovJson.Replace("\"SriovSupport\":  1", $"\"SriovSupport\":  {value}", StringComparison.Ordinal);
        var host = Assert.Single(Fixtures.Text("sriov.json", json).Topology.Hosts);
        Assert.Equal("HV01", host.Id.Value);
        Assert.Contains(reason, host.ChipsetDescription, StringComparison.Ordinal);
        var expected = reason switch
        {
            "MissingAcs" => ChipsetCapabilities.Full with { Acs = false },
            "NoIoMmuSupport" => ChipsetCapabilities.Full with { Iommu = false },
            _ => ChipsetCapabilities.Full with { OscHandoff = false },
        };
        Assert.Equal(expected, host.Chipset);
    }

    [Fact]
    public void Sriov_support_3_is_a_missing_pf_driver_on_the_nic()
    {
        var json = SriovJson.Replace("\"SriovSupport\":  1", "\"SriovSupport\":  3", StringComparison.Ordinal);
        Assert.False(Assert.Single(Fixtures.Text("sriov.json", json).Topology.Nics).PfDriverSupportsSriov);
    }

    [Fact]
    public void A_whole_hyper_v_host_in_json_maps_cores_chipset_nic_switch_vms_weights_queue_pairs_and_the_vf_holder()
    {
        var r = InventoryImporter.Import(
            [("host.json", HostJson), ("hw.json", HardwareJson), ("sriov.json", SriovJson), ("switch.json", SwitchJsonAsPowerShellWritesIt),
             ("adapters.json", AdaptersJson), ("vfs.json", VfJson)]);
        var host = Assert.Single(r.Topology.Hosts);
        Assert.Equal((new HostId("HV01"), Platform.HyperV, 48, 262_144L), (host.Id, host.Platform, host.Cores, host.MemoryMiB));
        Assert.Equal(ChipsetCapabilities.Full with { OscHandoff = false }, host.Chipset);

        var nicId = NicId.Of(host.Id, "0000:3b:00.0");
        var nic = Assert.Single(r.Topology.Nics);
        Assert.Equal((nicId, true, 16, 64, 127, 1, NicVendor.Mellanox), (nic.Id, nic.SriovEnabled, nic.ConfiguredVfs, nic.VPorts, nic.QueuePairs, nic.NumaNode, nic.Vendor));
        Assert.Equal(nicId, Assert.Single(r.Topology.Switches).BoundNic);

        var sql = r.Topology.Vms.Single(v => v.Id.Value == "sql-01");
        Assert.Equal(new VnicSpec("Network Adapter", new SwitchId("HV01/vSwitch-IOV"), 100, 4), Assert.Single(sql.Vnics));
        Assert.True(sql.Running);
        var web = r.Topology.Vms.Single(v => v.Id.Value == "web-01");
        Assert.False(Assert.Single(web.Vnics).WantsVf);
        Assert.Equal(2, r.Topology.Vms.Count);
        Assert.Equal(new VfHolderSpec(nicId, 5, new VmId("sql-01"), "Network Adapter"), Assert.Single(r.Topology.VfHolders));
        Assert.DoesNotContain(r.Diagnostics, d => d.Severity == DiagnosticSeverity.Warning);
    }

    [Fact]
    public void The_real_vfpctrl_port_shows_a_vm_vnic_with_sriov_weight_0()
    {
        var r = Fixtures.ImportAs("hv-02", "hyperv/vfpctrl_list-vmswitch-port_excerpt.txt");
        var vm = Assert.Single(r.Topology.Vms);
        Assert.Equal(new VmId("vm00-2019"), vm.Id);
        Assert.Equal(new VnicSpec("Network Adapter", new SwitchId("hv-02/vSwitch00"), 0), Assert.Single(vm.Vnics));
        Assert.Equal(Platform.HyperV, Assert.Single(r.Topology.Hosts).Platform);
    }

    [Fact]
    public void An_unknown_switch_type_integer_names_the_file_line_column_and_field()
    {
        var json = SwitchJsonAsPowerShellWritesIt.Replace("\"SwitchType\":  2", "\"SwitchType\":  7", StringComparison.Ordinal);
        var e = Assert.Throws<ImportException>(() => Fixtures.Text("switch.json", json));
        Assert.StartsWith("switch.json line 4, column 20", e.Message, StringComparison.Ordinal);
        Assert.Contains("SwitchType '7' is not a known SwitchType value", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_numeric_iov_weight_names_the_file_line_and_field()
    {
        var e = Assert.Throws<ImportException>(() => Fixtures.Text("adapters.json", AdaptersJson.Replace("\"IovWeight\":  100", "\"IovWeight\":  \"high\"", StringComparison.Ordinal)));
        Assert.StartsWith("adapters.json line 8", e.Message, StringComparison.Ordinal);
        Assert.Contains("[0].IovWeight 'high' is not a number", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_format_list_value_names_the_line_and_field()
    {
        var text = Fixtures.File("hyperv/Get-VMSwitch_select-all_fl.txt").Text.Replace("IovQueuePairCount                                : 127", "IovQueuePairCount                                : lots", StringComparison.Ordinal);
        var e = Assert.Throws<ImportException>(() => Fixtures.Text("switch.txt", text));
        Assert.StartsWith("switch.txt line 21", e.Message, StringComparison.Ordinal);
        Assert.Contains("IovQueuePairCount 'lots' is not a number", e.Message, StringComparison.Ordinal);
    }
}
