using Twin.Events.Common;
using Twin.Events.Inventory;
using Twin.Events.Nics;
using Twin.Host.Import;

namespace Twin.Host.Tests.Import;

public sealed class KubernetesImportTests
{
    // Hand-written: a whole SriovNetworkNodeState as `kubectl get -o yaml` prints it (field names from the CRD schema).
    private const string NodeState = """
        apiVersion: sriovnetwork.openshift.io/v1
        kind: SriovNetworkNodeState
        metadata:
          name: worker-1
          namespace: sriov-network-operator
        status:
          interfaces:
          - Vfs:
            - deviceID: 154c
              driver: iavf
              pciAddress: 0000:3b:02.0
              vendor: "8086"
              vfID: 0
            - deviceID: 154c
              driver: iavf
              pciAddress: 0000:3b:02.1
              vendor: "8086"
              vfID: 1
            - deviceID: 154c
              driver: iavf
              pciAddress: 0000:3b:02.2
              vendor: "8086"
              vfID: 2
            - deviceID: 154c
              driver: iavf
              pciAddress: 0000:3b:02.3
              vendor: "8086"
              vfID: 3
            deviceID: "1572"
            driver: i40e
            linkSpeed: 10000 Mb/s
            mtu: 1500
            name: ens1f0
            numVfs: 4
            pciAddress: 0000:3b:00.0
            totalvfs: 64
            vendor: "8086"
          syncStatus: Succeeded
        """;

    // Hand-written `kubectl get node worker-1 -o json` (trimmed).
    private static string Node(int allocatable) => $$"""
        {
          "apiVersion": "v1",
          "kind": "Node",
          "metadata": { "name": "worker-1" },
          "status": {
            "allocatable": { "cpu": "32", "memory": "263577068Ki", "pods": "110", "intel.com/intel_sriov_netdevice": "{{allocatable}}" }
          }
        }
        """;

    [Fact]
    public void The_node_state_before_the_policy_has_two_x710_pfs_with_ceiling_64_and_no_vfs()
    {
        var r = Fixtures.Import("sriov-network-operator/SriovNetworkNodeState_status_before_policy.yaml");
        Assert.Equal(["host-1/0000:18:00.0", "host-1/0000:18:00.1"], r.Topology.Nics.Select(n => n.Id.Value));
        Assert.All(r.Topology.Nics, n => Assert.Equal((64, 0, false, NicVendor.Intel, "i40e", "1572"), (n.MaxVfs, n.ConfiguredVfs, n.SriovEnabled, n.Vendor, n.Driver, n.DeviceId)));
    }

    [Fact]
    public void The_status_excerpt_after_the_policy_has_3_vfs_and_its_first_line_indentation_is_repaired()
    {
        var r = Fixtures.Import("sriov-network-operator/SriovNetworkNodeState_status_after_policy_excerpt.yaml");
        var nic = Assert.Single(r.Topology.Nics);
        Assert.Equal(("0000:18:00.0", 64, 3, true, "1583"), (nic.PciAddress, nic.MaxVfs, nic.ConfiguredVfs, nic.SriovEnabled, nic.DeviceId));
        Assert.True(r.Says("indentation was repaired"));
        Assert.True(r.Says("Vfs without vfID"));
    }

    [Fact]
    public void Before_and_after_states_of_one_node_disagree_and_the_later_capture_wins_with_diagnostics()
    {
        var r = Fixtures.Import("sriov-network-operator/SriovNetworkNodeState_status_before_policy.yaml",
            "sriov-network-operator/SriovNetworkNodeState_status_after_policy_excerpt.yaml");
        var nic = r.Nic("host-1", "0000:18:00.0");
        Assert.Equal((3, "1583"), (nic.ConfiguredVfs, nic.DeviceId));
        Assert.True(r.Says("VFs configured: 0 in an earlier capture, 3 here; using 3"));
        Assert.True(r.Says("device id: '1572' in an earlier capture, '1583' here"));
    }

    [Fact]
    public void A_node_state_names_its_node_and_maps_link_speed_netdev_and_vf_ids()
    {
        var r = Fixtures.Text("worker-1.yaml", NodeState, host: null);
        var nic = r.Nic("worker-1", "0000:3b:00.0");
        Assert.Equal((64, 4, 10_000, "ens1f0"), (nic.MaxVfs, nic.ConfiguredVfs, nic.LinkMbps, nic.NetdevName));
        Assert.DoesNotContain(r.Diagnostics, d => d.Severity == DiagnosticSeverity.Warning);
    }

    [Fact]
    public void The_device_plugin_config_turns_matching_selectors_into_pools_on_the_pfs_of_the_import()
    {
        var r = InventoryImporter.Import([("worker-1.yaml", NodeState), Fixtures.File("k8s-device-plugin/sriovdp-configMap.yaml"), ("node.json", Node(4))]);
        var nic = NicId.Of(new HostId("worker-1"), "0000:3b:00.0");
        // vendor 8086, VF device 154c and driver iavf match intel_sriov_netdevice; intel_sriov_dpdk wants vfio-pci
        Assert.Equal(ResourcePoolSpec.FirstN(nic, "intel.com/intel_sriov_netdevice", 4), Assert.Single(r.Topology.ResourcePools));
        Assert.Equal(new ObservedPool(new HostId("worker-1"), nic, "intel.com/intel_sriov_netdevice", 4, null, "node.json"), Assert.Single(r.ObservedPools));
        Assert.DoesNotContain(r.Diagnostics, d => d.Severity == DiagnosticSeverity.Warning);
    }

    [Fact]
    public void Allocatable_that_differs_from_the_pool_built_from_selectors_is_reported()
    {
        var r = InventoryImporter.Import([("worker-1.yaml", NodeState), Fixtures.File("k8s-device-plugin/sriovdp-configMap.yaml"), ("node.json", Node(5))]);
        Assert.True(r.Says("intel.com/intel_sriov_netdevice on worker-1: 5 allocatable, but the pools of that name hold 4 VFs"));
    }

    [Fact]
    public void A_policy_selecting_a_root_device_becomes_a_pool_of_its_numvfs_on_that_pf()
    {
        var r = Fixtures.Import("sriov-network-operator/SriovNetworkNodeState_status_before_policy.yaml", "sriov-network-operator/SriovNetworkNodePolicy_example.yaml");
        var nic = NicId.Of(new HostId("host-1"), "0000:18:00.1");
        Assert.Equal(ResourcePoolSpec.FirstN(nic, "openshift.io/intelnics", 2), Assert.Single(r.Topology.ResourcePools));
        Assert.True(r.Says("the policy asks 2 VFs on host-1/0000:18:00.1, which has 0 configured"));
    }

    [Fact]
    public void Real_allocatable_json_and_describe_text_give_observed_pool_counts_with_quantities()
    {
        var json = Fixtures.Import("k8s-device-plugin/node_status_allocatable.json");
        Assert.Equal([("intel.com/sriov_net_A", 8), ("intel.com/sriov_net_B", 8)], json.ObservedPools.Select(p => (p.Name, p.Capacity!.Value)));
        var text = Fixtures.Import("k8s-device-plugin/kubectl_describe_node_allocatable_excerpt.txt");
        Assert.Contains(text.ObservedPools, p => p is { Name: "nokia.k8s.io/sriov_ens2f1", Capacity: 32 });
        Assert.Contains(text.ObservedPools, p => p is { Name: "nokia.k8s.io/shared_caas", Capacity: 32_000 });
    }

    [Fact]
    public void The_crd_schema_is_recognised_and_imports_nothing()
    {
        var r = Fixtures.Import("sriov-network-operator/crd_sriovnetworknodestates.yaml");
        Assert.Empty(r.Topology.Nics);
        Assert.True(r.Says("a schema, not an inventory"));
    }

    [Fact]
    public void A_non_numeric_totalvfs_names_the_file_line_column_and_path()
    {
        var e = Assert.Throws<ImportException>(() => Fixtures.Text("state.yaml", NodeState.Replace("totalvfs: 64", "totalvfs: many", StringComparison.Ordinal)));
        Assert.Equal("state.yaml line 36, column 15: status.interfaces[0].totalvfs 'many' is not a number", e.Message);
    }

    [Fact]
    public void A_json_syntax_error_inside_the_device_plugin_configmap_names_the_yaml_line()
    {
        var text = Fixtures.File("k8s-device-plugin/sriovdp-configMap.yaml").Text.Replace("\"resourceName\": \"intel_sriov_dpdk\",", "\"resourceName\": 7 7,", StringComparison.Ordinal);
        var e = Assert.Throws<ImportException>(() => Fixtures.Text("configmap.yaml", text));
        Assert.StartsWith("configmap.yaml line 18", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_yaml_names_the_line()
    {
        var e = Assert.Throws<ImportException>(() => Fixtures.Text("state.yaml", "apiVersion: v1\nkind: SriovNetworkNodeState\nstatus:\n  interfaces: [ {\n"));
        Assert.StartsWith("state.yaml line 5", e.Message, StringComparison.Ordinal);
        Assert.Contains("YAML", e.Message, StringComparison.Ordinal);
    }
}
