using Twin.Host.Import;

namespace Twin.Host.Tests.Import;

/// <summary>Malformed inputs of the text formats not covered next to their parsers' other tests: each names the file,
/// the line and the field, and the import returns nothing.</summary>
public sealed class MalformedInputTests
{
    [Theory]
    [InlineData("ip.txt", "8: eth3: <BROADCAST,MULTICAST,UP> mtu 1500 qdisc mq state UP\n    link/ether a0:36:9f:8f:3f:b8 brd ff:ff:ff:ff:ff:ff\n    vf x MAC 00:00:00:00:00:00, spoof checking on\n",
        "ip.txt line 3: eth3 vf index 'x' is not a number")]
    [InlineData("nics.txt", "Name    PCI Device    Driver  Link  Speed  Duplex  MAC Address         MTU  Description\n--------\nvmnic0  0000:1b:00.0  nenic   Up    fast   Full    f4:ee:31:30:80:40  1500  Cisco VIC\n",
        "nics.txt line 3: Speed 'fast' is not a number")]
    [InlineData("vms.txt", "vm-a\n   World ID: abc\n   Process ID: 0\n   VMX Cartel ID: 2104267\n   Display Name: vm-a\n",
        "vms.txt line 2: World ID 'abc' is not a number")]
    [InlineData("metrics.prom", "sriov_vf_tx_packets{numa_node=\"0\",pciAddr=\"0000:02:0a.0\",pf=\"ens785f2\",vf=\"zero\"} 0\n",
        "metrics.prom line 1: sriov_vf_tx_packets vf=\"zero\" is not a number")]
    [InlineData("describe.txt", "Name: worker-1\nAllocatable:\n cpu:                          6\n intel.com/sriov_a:            lots\n",
        "describe.txt line 4: intel.com/sriov_a 'lots' is not a Kubernetes quantity")]
    [InlineData("vf-list.txt", "VF ID  Active  PCI Address     Owner World ID\n-----  ------  --------------  --------------\n0      maybe   0000:03:00.0    -\n",
        "vf-list.txt line 3: Active 'maybe' is not true/false")]
    [InlineData("vf-list.txt", "VF ID  Active  PCI Address     Owner World ID\n0      true    0000:03:00.0\n",
        "vf-list.txt line 2: row has 3 fields, the header has 4 (VF ID, Active, PCI Address, Owner World ID)")]
    public void A_malformed_text_capture_names_the_file_line_and_field(string source, string text, string message)
    {
        var e = Assert.Throws<ImportException>(() => Fixtures.Text(source, text));
        Assert.Equal(message, e.Message);
    }
}
