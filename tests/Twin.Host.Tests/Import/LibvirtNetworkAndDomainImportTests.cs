using Twin.Events.Common;
using Twin.Events.Inventory;
using Twin.Events.Switches;
using Twin.Events.Vms;
using Twin.Host.Import;

namespace Twin.Host.Tests.Import;

public sealed class LibvirtNetworkAndDomainImportTests
{
    // Hand-written nodedev dumps: the PF 0000:03:00.0 (netdev eth2) whose VFs are the addresses the real hostdev
    // networks use, and the PF 0000:06:00.0 holding the real domain's VF 0000:06:12.1 as VF 2.
    private const string Pf03 = """
        <device>
          <name>pci_0000_03_00_0</name>
          <capability type='pci'>
            <class>0x020000</class>
            <domain>0</domain>
            <bus>3</bus>
            <slot>0</slot>
            <function>0</function>
            <product id='0x10fb'>82599ES 10-Gigabit SFI/SFP+ Network Connection</product>
            <vendor id='0x8086'>Intel Corporation</vendor>
            <capability type='virt_functions' maxCount='63'>
              <address domain='0x0000' bus='0x03' slot='0x00' function='0x1'/>
              <address domain='0x0000' bus='0x03' slot='0x00' function='0x2'/>
              <address domain='0x0000' bus='0x03' slot='0x00' function='0x3'/>
              <address domain='0x0000' bus='0x03' slot='0x00' function='0x4'/>
              <address domain='0x0000' bus='0x03' slot='0x00' function='0x5'/>
            </capability>
          </capability>
        </device>
        <device>
          <name>net_eth2_90_e2_ba_00_00_01</name>
          <parent>pci_0000_03_00_0</parent>
          <capability type='net'>
            <interface>eth2</interface>
            <address>90:e2:ba:00:00:01</address>
            <link speed='10000' state='up'/>
          </capability>
        </device>
        """;

    private const string Pf06 = """
        <device>
          <name>pci_0000_06_00_0</name>
          <capability type='pci'>
            <class>0x020000</class>
            <domain>0</domain>
            <bus>6</bus>
            <slot>0</slot>
            <function>0</function>
            <product id='0x1572'>Ethernet Controller X710 for 10GbE SFP+</product>
            <vendor id='0x8086'>Intel Corporation</vendor>
            <capability type='virt_functions' maxCount='32'>
              <address domain='0x0000' bus='0x06' slot='0x10' function='0x0'/>
              <address domain='0x0000' bus='0x06' slot='0x10' function='0x2'/>
              <address domain='0x0000' bus='0x06' slot='0x12' function='0x1'/>
            </capability>
          </capability>
        </device>
        """;

    private static ImportResult With(string hostNodedev, params string[] fixtures) =>
        InventoryImporter.Import(fixtures.Select(Fixtures.File).Prepend(("nodedev.xml", hostNodedev)), new ImportOptions(Host: "kvm-01"));

    [Fact]
    public void A_hostdev_network_with_a_pf_dev_is_a_vf_pool_of_every_vf_of_that_pf()
    {
        var r = With(Pf03, "libvirt-network/hostdev-pf-driver-model.xml");
        var nic = NicId.Of(new HostId("kvm-01"), "0000:03:00.0");
        var sw = Assert.Single(r.Topology.Switches);
        Assert.Equal(new SwitchSpec(new SwitchId("kvm-01/hostdev"), new HostId("kvm-01"), "hostdev", SwitchKind.HostdevPool, nic, true), sw);
        Assert.Equal(ResourcePoolSpec.FirstN(nic, "hostdev", 5), Assert.Single(r.Topology.ResourcePools));
        Assert.Equal("eth2", r.Nic("kvm-01", "0000:03:00.0").NetdevName);
        Assert.Equal(10_000, r.Nic("kvm-01", "0000:03:00.0").LinkMbps);
    }

    [Fact]
    public void A_hostdev_network_alone_is_a_pool_whose_pf_is_reported_as_unmapped()
    {
        var r = Fixtures.Import("libvirt-network/hostdev-pf.out.xml");
        var sw = Assert.Single(r.Topology.Switches);
        Assert.Equal(SwitchKind.HostdevPool, sw.Kind);
        Assert.Null(sw.BoundNic);
        Assert.True(r.Says("its NIC netdev eth2 is not in this import"));
    }

    [Fact]
    public void A_hostdev_network_listing_vf_addresses_pools_exactly_those_vfs()
    {
        var r = With(Pf03, "libvirt-network/hostdev.xml");
        var nic = NicId.Of(new HostId("kvm-01"), "0000:03:00.0");
        Assert.Equal(new ResourcePoolSpec(nic, "hostdev", [0, 1, 2, 3]), Assert.Single(r.Topology.ResourcePools));
        Assert.Equal(nic, Assert.Single(r.Topology.Switches).BoundNic);
    }

    [Fact]
    public void A_macvtap_passthrough_network_is_an_external_switch_without_iov_and_says_so()
    {
        var r = Fixtures.Import("libvirt-network/passthrough-pf.xml");
        var sw = Assert.Single(r.Topology.Switches);
        Assert.Equal((SwitchKind.External, false, "local"), (sw.Kind, sw.IovEnabled, sw.Name));
        Assert.True(r.Says("macvtap"));
        Assert.Empty(r.Topology.ResourcePools);
    }

    [Fact]
    public void A_domain_hostdev_interface_holds_the_vf_its_pf_lists()
    {
        var r = With(Pf06, "libvirt-domain/net-hostdev-vfio.xml");
        var nic = NicId.Of(new HostId("kvm-01"), "0000:06:00.0");
        var vm = Assert.Single(r.Topology.Vms);
        Assert.Equal((new VmId("QEMUGuest1"), 1, 214L, false), (vm.Id, vm.Vcpus, vm.MemoryMiB, vm.Running));
        var vnic = Assert.Single(vm.Vnics);
        Assert.True(vnic.WantsVf);
        Assert.Equal(new VfHolderSpec(nic, 2, new VmId("QEMUGuest1"), "net0"), Assert.Single(r.Topology.VfHolders));
        var sw = r.Topology.Switches.Single(s => s.Id == vnic.Switch);
        Assert.Equal((SwitchKind.HostdevPool, nic, true), (sw.Kind, sw.BoundNic, sw.IovEnabled));
    }

    [Fact]
    public void A_domain_whose_vf_no_pf_lists_keeps_its_vnic_and_reports_the_holder_it_cannot_place()
    {
        var r = Fixtures.Import("libvirt-domain/net-hostdev-vfio.xml");
        Assert.Empty(r.Topology.VfHolders);
        Assert.True(Assert.Single(Assert.Single(r.Topology.Vms).Vnics).WantsVf);
        Assert.True(r.Says("VF 0000:06:12.1 is in no PF's VF list"));
    }

    [Fact]
    public void A_vnic_on_a_hostdev_network_wants_a_vf()
    {
        const string domain = """
            <domain type='kvm' id='7'>
              <name>vm-42</name>
              <memory unit='GiB'>4</memory>
              <vcpu placement='static' current='2'>4</vcpu>
              <devices>
                <interface type='network'><source network='hostdev'/></interface>
                <interface type='bridge'><source bridge='br0'/></interface>
              </devices>
            </domain>
            """;
        var r = InventoryImporter.Import([("nodedev.xml", Pf03), Fixtures.File("libvirt-network/hostdev.xml"), ("vm-42.xml", domain)], new ImportOptions(Host: "kvm-01"));
        var vm = Assert.Single(r.Topology.Vms);
        Assert.Equal((true, 2, 4096L), (vm.Running, vm.Vcpus, vm.MemoryMiB));
        Assert.Equal([new VnicSpec("net0", new SwitchId("kvm-01/hostdev"), 100), new VnicSpec("net1", new SwitchId("kvm-01/br0"))], vm.Vnics);
    }

    [Fact]
    public void A_non_numeric_memory_names_the_file_and_line()
    {
        var text = Fixtures.File("libvirt-domain/net-hostdev-vfio.xml").Text.Replace("<memory unit='KiB'>219136</memory>", "<memory unit='KiB'>lots</memory>", StringComparison.Ordinal);
        var e = Assert.Throws<ImportException>(() => Fixtures.Text("guest.xml", text));
        Assert.StartsWith("guest.xml line 4", e.Message, StringComparison.Ordinal);
        Assert.Contains("<memory>lots</memory> is not a number", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hostdev_interface_with_a_bad_bus_attribute_names_the_attribute()
    {
        var text = Fixtures.File("libvirt-domain/net-hostdev-vfio.xml").Text.Replace("bus='0x06'", "bus='0xzz'", StringComparison.Ordinal);
        var e = Assert.Throws<ImportException>(() => Fixtures.Text("guest.xml", text));
        Assert.StartsWith("guest.xml line 29", e.Message, StringComparison.Ordinal);
        Assert.Contains("bus='0xzz' is not a number", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hostdev_network_with_neither_pf_nor_addresses_is_malformed()
    {
        var e = Assert.Throws<ImportException>(() => Fixtures.Text("net.xml", "<network>\n  <name>pool</name>\n  <forward mode='hostdev'/>\n</network>\n"));
        Assert.StartsWith("net.xml line 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("<forward mode='hostdev'> has neither <pf dev=...> nor <address> entries", e.Message, StringComparison.Ordinal);
    }
}
