using Twin.Events.Common;
using Twin.Events.Inventory;
using Twin.Host.Import;

namespace Twin.Host.Tests.Import;

public sealed class PlacementImportTests
{
    // Hand-written in the shape of GET /resource_providers/{uuid}/inventories (the provider is named by the file name).
    private const string VfInventory = """
        {
            "inventories": {
                "SRIOV_NET_VF": {
                    "allocation_ratio": 1.0,
                    "max_unit": 8,
                    "min_unit": 1,
                    "reserved": 2,
                    "step_size": 1,
                    "total": 8
                }
            },
            "resource_provider_generation": 3
        }
        """;

    // Hand-written GET /resource_providers: names for the providers of the real allocation-candidates sample.
    private const string Providers = """
        {
            "resource_providers": [
                { "uuid": "915ef8ed-9b91-4e38-8802-2e4224ad54cd", "name": "compute-1", "generation": 4,
                  "parent_provider_uuid": null, "root_provider_uuid": "915ef8ed-9b91-4e38-8802-2e4224ad54cd" },
                { "uuid": "f5120cad-67d9-4f20-9210-3092a79a28cf", "name": "compute-1_0000:81:00.0", "generation": 2,
                  "parent_provider_uuid": "915ef8ed-9b91-4e38-8802-2e4224ad54cd", "root_provider_uuid": "915ef8ed-9b91-4e38-8802-2e4224ad54cd" }
            ]
        }
        """;

    [Fact]
    public void Allocation_candidates_give_the_nested_sriov_provider_a_pool_of_8_with_0_used()
    {
        var r = Fixtures.Import("openstack/placement_get-allocation_candidates-1.29.json");
        Assert.Equal(["35791f28-fb45-4717-9ea9-435b3ef7c3b3", "915ef8ed-9b91-4e38-8802-2e4224ad54cd"], r.Topology.Hosts.Select(h => h.Id.Value));
        var nic = Assert.Single(r.Topology.Nics);
        Assert.Equal(NicId.Of(new HostId("915ef8ed-9b91-4e38-8802-2e4224ad54cd"), "f5120cad-67d9-4f20-9210-3092a79a28cf"), nic.Id);
        Assert.Equal(8, nic.ConfiguredVfs);
        Assert.Equal(ResourcePoolSpec.FirstN(nic.Id, "SRIOV_NET_VF", 8), Assert.Single(r.Topology.ResourcePools));
        Assert.Equal(new ObservedPool(nic.Host, nic.Id, "SRIOV_NET_VF", 8, 0, "placement_get-allocation_candidates-1.29.json"), Assert.Single(r.ObservedPools));
        Assert.True(r.Says("not a compute node"));
    }

    [Fact]
    public void A_provider_list_names_the_hosts_and_a_provider_name_with_a_pci_address_keys_the_pf()
    {
        var r = InventoryImporter.Import([("providers.json", Providers), Fixtures.File("openstack/placement_get-allocation_candidates-1.29.json")]);
        var nic = r.Nic("compute-1", "0000:81:00.0");
        Assert.Equal(8, nic.ConfiguredVfs);
        Assert.Contains(r.Topology.Hosts, h => h.Id.Value == "compute-1");
        Assert.DoesNotContain(r.Topology.Hosts, h => h.Id.Value == "915ef8ed-9b91-4e38-8802-2e4224ad54cd");
    }

    [Fact]
    public void An_sriov_inventory_pool_holds_total_minus_reserved()
    {
        var r = Fixtures.Text("f5120cad-67d9-4f20-9210-3092a79a28cf.json", VfInventory, host: "compute-1");
        var nic = Assert.Single(r.Topology.Nics);
        Assert.Equal(8, nic.ConfiguredVfs);
        Assert.Equal(ResourcePoolSpec.FirstN(nic.Id, "SRIOV_NET_VF", 6), Assert.Single(r.Topology.ResourcePools));
    }

    [Fact]
    public void The_real_inventory_of_a_compute_node_gives_its_cores_and_memory()
    {
        var r = Fixtures.ImportAs("compute-2", "openstack/placement_get-inventories.json");
        var host = Assert.Single(r.Topology.Hosts);
        Assert.Equal((4, 5825L), (host.Cores, host.MemoryMiB));
        Assert.Empty(r.Topology.Nics);
        Assert.True(r.Says("no SRIOV_NET_VF inventory"));
    }

    [Theory]
    [InlineData("openstack/placement_get-resource_provider_usages.json", "no SRIOV_NET_VF usage")]
    [InlineData("openstack/placement_get-usages-1.38.json", "per-project usages")]
    [InlineData("openstack/placement_get-resource_classes.json", "defines SRIOV_NET_VF")]
    public void Placement_documents_without_vf_inventory_import_as_notes(string fixture, string note)
    {
        var r = Fixtures.Import(fixture);
        Assert.Equal(ImportFormat.PlacementJson, r.Files[0].Format);
        Assert.Empty(r.Topology.Nics);
        Assert.True(r.Says(note));
    }

    [Fact]
    public void Usage_of_a_provider_is_an_observed_pool_count_on_its_pf()
    {
        const string uuid = "f5120cad-67d9-4f20-9210-3092a79a28cf";
        const string usages = """{ "resource_provider_generation": 5, "usages": { "SRIOV_NET_VF": 3 } }""";
        var r = InventoryImporter.Import([($"{uuid}-inventories.json", VfInventory), ($"{uuid}-usages.json", usages)], new ImportOptions(Host: "compute-1"));
        var nic = Assert.Single(r.Topology.Nics);
        Assert.Equal(new ObservedPool(new HostId("compute-1"), nic.Id, "SRIOV_NET_VF", null, 3, $"{uuid}-usages.json"), Assert.Single(r.ObservedPools));
    }

    [Fact]
    public void A_non_numeric_total_names_the_file_line_column_and_path()
    {
        var e = Assert.Throws<ImportException>(() => Fixtures.Text("inv.json", VfInventory.Replace("\"total\": 8", "\"total\": \"eight\"", StringComparison.Ordinal)));
        Assert.StartsWith("inv.json line 9, column 22", e.Message, StringComparison.Ordinal);
        Assert.Contains("inventories.SRIOV_NET_VF.total 'eight' is not a number", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reserved_count_above_the_total_is_malformed()
    {
        var e = Assert.Throws<ImportException>(() => Fixtures.Text("inv.json", VfInventory.Replace("\"reserved\": 2", "\"reserved\": 9", StringComparison.Ordinal)));
        Assert.StartsWith("inv.json line 7", e.Message, StringComparison.Ordinal);
        Assert.Contains("reserved 9 exceeds total 8", e.Message, StringComparison.Ordinal);
    }
}
