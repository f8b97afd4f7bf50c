using Twin.Events.Nics;
using Twin.Host.Import;

namespace Twin.Host.Tests.Import;

public sealed class LibvirtNodeDeviceImportTests
{
    [Fact]
    public void A_pf_with_maxCount_7_and_four_listed_vfs_has_ceiling_7_and_4_configured()
    {
        var r = Fixtures.Import("libvirt-nodedev/pci_0000_02_10_7_sriov_pf_vfs_all.xml");
        var nic = r.Nic("host-1", "0000:02:10.7");
        Assert.Equal(7, nic.MaxVfs);
        Assert.Equal(4, nic.ConfiguredVfs);
        Assert.True(nic.SriovEnabled);
        Assert.Equal(NicVendor.Intel, nic.Vendor);
        Assert.Equal("10ca", nic.DeviceId);
        Assert.Equal(0, nic.NumaNode);
        Assert.True(r.Says("has both phys_function"));
    }

    [Fact]
    public void Virt_functions_without_maxCount_leave_the_ceiling_unknown_not_zero()
    {
        var r = Fixtures.Import("libvirt-nodedev/pci_0000_02_10_7_sriov_vfs.xml");
        var nic = r.Nic("host-1", "0000:02:10.7");
        Assert.Null(nic.MaxVfs);
        Assert.Equal(4, nic.ConfiguredVfs);
        Assert.True(r.Says("ceiling is not reported"));
    }

    [Fact]
    public void An_empty_virt_functions_with_maxCount_3_is_a_pf_with_ceiling_3_and_sriov_off()
    {
        var nic = Fixtures.Import("libvirt-nodedev/pci_0000_02_10_7_sriov_zero_vfs_max_count.xml").Nic("host-1", "0000:02:10.7");
        Assert.Equal(3, nic.MaxVfs);
        Assert.Equal(0, nic.ConfiguredVfs);
        Assert.False(nic.SriovEnabled);
    }

    [Fact]
    public void A_pf_without_sriov_capabilities_is_a_nic_whose_ceiling_is_unknown()
    {
        var r = Fixtures.Import("libvirt-nodedev/pci_8086_10c9_sriov_pf.xml");
        var nic = r.Nic("host-1", "0000:02:00.0");
        Assert.Null(nic.MaxVfs);
        Assert.Equal(0, nic.ConfiguredVfs);
        Assert.False(nic.SriovEnabled);
        Assert.Equal("Intel 82576 Gigabit Network Connection", nic.Model);
        Assert.Equal("10c9", nic.DeviceId);
        Assert.True(r.Says("ceiling unknown, not zero"));
    }

    [Fact]
    public void The_bluefield_capture_has_decimal_bus_66_which_is_pci_bus_42()
    {
        var nic = Fixtures.Import("libvirt-nodedev/pci_0000_42_00_0_vpd.xml").Nic("host-1", "0000:42:00.0");
        Assert.Equal(16, nic.MaxVfs);
        Assert.Equal(0, nic.ConfiguredVfs);
        Assert.Equal(NicVendor.Mellanox, nic.Vendor);
        Assert.Equal("a2d6", nic.DeviceId);
        Assert.Contains("BlueField-2", nic.Model, StringComparison.Ordinal);
    }

    [Fact]
    public void A_vf_device_only_points_to_its_pf_and_creates_no_nic()
    {
        var r = Fixtures.Import("libvirt-nodedev/pci_0000_02_10_7_sriov.xml");
        Assert.Empty(r.Topology.Nics);
        Assert.True(r.Says("VF 0000:02:10.7 of PF 0000:02:00.1"));
    }

    [Fact]
    public void Elements_are_decimal_and_attributes_hexadecimal_so_slot_16_and_slot_0x10_are_the_same_function()
    {
        // Hand-written: a PF whose own address is in decimal elements and whose VFs are in hex attributes.
        const string pf = """
            <device>
              <name>pci_0000_10_00_0</name>
              <capability type='pci'>
                <class>0x020000</class>
                <domain>0</domain>
                <bus>16</bus>
                <slot>0</slot>
                <function>0</function>
                <product id='0x1521'>I350 Gigabit Network Connection</product>
                <vendor id='0x8086'>Intel Corporation</vendor>
                <capability type='virt_functions' maxCount='7'>
                  <address domain='0x0000' bus='0x10' slot='0x10' function='0x0'/>
                  <address domain='0x0000' bus='0x10' slot='0x10' function='0x4'/>
                </capability>
                <numa node='1'/>
              </capability>
            </device>
            """;
        const string vf = """
            <device>
              <name>pci_0000_10_10_4</name>
              <capability type='pci'>
                <domain>0</domain>
                <bus>16</bus>
                <slot>16</slot>
                <function>4</function>
                <product id='0x1520'>I350 Ethernet Controller Virtual Function</product>
                <vendor id='0x8086'>Intel Corporation</vendor>
                <capability type='phys_function'>
                  <address domain='0x0000' bus='0x10' slot='0x00' function='0x0'/>
                </capability>
              </capability>
            </device>
            """;
        var r = InventoryImporter.Import([("pf.xml", pf), ("vf.xml", vf)], new ImportOptions(Host: "kvm-01"));
        var nic = Assert.Single(r.Topology.Nics);
        Assert.Equal("0000:10:00.0", nic.PciAddress);
        Assert.Equal(1, nic.NumaNode);
        // the VF's decimal <slot>16</slot> is the PF list's slot='0x10': it is found, so no "index unknown" note
        Assert.DoesNotContain(r.Diagnostics, d => d.Message.Contains("0000:10:10.4", StringComparison.Ordinal));
    }

    [Fact]
    public void An_address_attribute_without_0x_is_read_as_libvirt_does_with_a_leading_zero_meaning_octal()
    {
        Assert.True(Pci.TryParseLibvirtAttribute("0x10", out var hex));
        Assert.True(Pci.TryParseLibvirtAttribute("010", out var octal));
        Assert.True(Pci.TryParseLibvirtAttribute("10", out var dec));
        Assert.Equal((16, 8, 10), (hex, octal, dec));
    }

    [Fact]
    public void Several_devices_in_one_file_are_all_read()
    {
        var text = Fixtures.File("libvirt-nodedev/pci_8086_10c9_sriov_pf.xml").Text + Fixtures.File("libvirt-nodedev/pci_0000_42_00_0_vpd.xml").Text;
        var r = Fixtures.Text("all-devices.xml", text);
        Assert.Equal(["host-1/0000:02:00.0", "host-1/0000:42:00.0"], r.Topology.Nics.Select(n => n.Id.Value));
    }

    [Fact]
    public void A_non_numeric_maxCount_names_the_file_line_and_attribute()
    {
        var text = Fixtures.File("libvirt-nodedev/pci_0000_02_10_7_sriov_zero_vfs_max_count.xml").Text.Replace("maxCount='3'", "maxCount='x'", StringComparison.Ordinal);
        var e = Assert.Throws<ImportException>(() => Fixtures.Text("pci_0000_02_10_7.xml", text));
        Assert.StartsWith("pci_0000_02_10_7.xml line 12", e.Message, StringComparison.Ordinal);
        Assert.Contains("<capability type='virt_functions'> maxCount='x' is not a number", e.Message, StringComparison.Ordinal);
        Assert.Equal(12, e.Line);
    }

    [Fact]
    public void A_missing_bus_element_names_the_field()
    {
        var text = Fixtures.File("libvirt-nodedev/pci_8086_10c9_sriov_pf.xml").Text.Replace("<bus>2</bus>", "", StringComparison.Ordinal);
        var e = Assert.Throws<ImportException>(() => Fixtures.Text("nodedev.xml", text));
        Assert.Contains("<capability type='pci'> <bus> is missing", e.Message, StringComparison.Ordinal);
        Assert.StartsWith("nodedev.xml line 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_xml_names_the_file_line_and_column()
    {
        var e = Assert.Throws<ImportException>(() => Fixtures.Text("broken.xml", "<device>\n  <name>pci_0000_02_00_0</name>\n  <capability type='pci'>\n</device>\n"));
        Assert.StartsWith("broken.xml line 4, column", e.Message, StringComparison.Ordinal);
        Assert.Contains("XML", e.Message, StringComparison.Ordinal);
    }
}
