using Twin.Events.Common;
using Twin.Events.Inventory;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Simulation.Model;
using Twin.Simulation.WhatIf;
using static Twin.Simulation.Tests.WhatIf.WhatIfFixtures;

namespace Twin.Simulation.Tests.WhatIf;

/// <summary>Variants are data transformations of the base; whether a change is possible is asked of the core's rules.</summary>
public sealed class VariantApplierTests
{
    private static readonly Topology Base = Datacenter(32,
        ("a", Platform.HyperV, 2, 8, 63, "Intel 82599ES 10-Gigabit SFI/SFP+"),
        ("b", Platform.VSphere, 2, 16, 32, "Intel Ethernet Controller X710"));

    private static AppliedVariant Apply(params ChangeSpec[] changes) => Apply(Base, changes);

    private static AppliedVariant Apply(Topology t, params ChangeSpec[] changes)
    {
        var scenario = Scenario(new WorkloadSpec.None(), 24, 1, 1, variants: Variant("v", changes));
        return VariantApplier.Apply(scenario, t, scenario.Variants[0], Epoch);
    }

    [Fact]
    public void The_baseline_is_the_base_unchanged()
    {
        var scenario = Scenario(new WorkloadSpec.None(), 24, 1, 1, PlacementPolicy.Spread);
        var baseline = VariantApplier.Apply(scenario, Base, null, Epoch);
        Assert.Same(Base, baseline.Topology);
        Assert.Equal(("baseline", PlacementPolicy.Spread), (baseline.Name, baseline.Placement));
        Assert.Empty(baseline.Applied);
    }

    [Fact]
    public void Added_hosts_each_get_a_catalog_pf_behind_an_iov_switch()
    {
        var v = Apply(new ChangeSpec.AddHosts(3, "a", Platform.HyperV, "Windows Server 2022", 48, 256, "intel-e810", null, null, true, "a-"));
        var added = v.Topology.Hosts.Skip(Base.Hosts.Count).ToList();
        // a-01 and a-02 exist: the new ones continue the numbering without clashing
        Assert.Equal(["a-03", "a-04", "a-05"], added.Select(h => h.Id.Value));
        Assert.All(added, h => Assert.Equal(("a", 48, 256L * 1024), (h.Cluster, h.Cores, h.MemoryMiB)));
        var nic = v.Topology.Nics.Single(n => n.Host.Value == "a-04");
        Assert.Equal(("Intel E810 (ice)", NicVendor.Intel, 100_000, (int?)256, 256, true), (nic.Model, nic.Vendor, nic.LinkMbps, nic.MaxVfs, nic.ConfiguredVfs, nic.SriovEnabled));
        Assert.True(v.Topology.Switches.Single(s => s.Host.Value == "a-04").IovEnabled);
        Assert.Contains("3 HyperV host(s) in cluster a", v.Applied.Single());
    }

    [Fact]
    public void Replaced_nics_take_ceiling_vendor_and_link_from_the_catalog_and_lose_their_pools()
    {
        var withPool = Base with { ResourcePools = [ResourcePoolSpec.FirstN(new NicId("a-01/0000:3b:00.0"), "tenant", 4)] };
        var v = Apply(withPool, new ChangeSpec.ReplaceNics(Clusters("a"), "mellanox-connectx5", null));
        var replaced = v.Topology.Nics.Where(n => n.Host.Value.StartsWith('a')).ToList();
        Assert.All(replaced, n => Assert.Equal(("NVIDIA/Mellanox ConnectX-4/5/6 (mlx5)", NicVendor.Mellanox, (int?)127, 127, 100_000),
            (n.Model, n.Vendor, n.MaxVfs, n.ConfiguredVfs, n.LinkMbps)));
        Assert.Empty(v.Topology.ResourcePools);
        Assert.All(v.Topology.Nics.Where(n => n.Host.Value.StartsWith('b')), n => Assert.Equal(16, n.ConfiguredVfs));
        Assert.Contains("1 resource pool(s) of the old cards dropped", v.Applied.Single());
    }

    [Fact]
    public void More_vfs_than_the_ceiling_are_refused_by_the_nic_rules_at_the_changes_line()
    {
        var e = Assert.Throws<ScenarioException>(() => Apply(new ChangeSpec.SetNumVfs(Clusters("a"), 64, null, false) { Where = At(12) }));
        Assert.Equal((12, "variants[0].changes[12]"), (e.Line, e.Field));
        Assert.Contains("PF a-01/0000:3b:00.0 (Intel 82599ES 10-Gigabit SFI/SFP+) cannot have 64 VFs: its ceiling is 63", e.Message);
        Assert.StartsWith("test.yaml:12:7:", e.Message);
    }

    [Fact]
    public void A_pf_whose_capture_reports_no_ceiling_cannot_get_vfs()
    {
        var t = Datacenter(8, ("a", Platform.Kvm, 1, 0, null, "Broadcom BCM57416"));
        var e = Assert.Throws<ScenarioException>(() => Apply(t, new ChangeSpec.SetNumVfs(All, 8, null, false)));
        Assert.Contains("reports no VF ceiling", e.Message);
    }

    [Fact]
    public void NumVfs_can_be_set_moved_by_a_delta_or_raised_to_the_ceiling()
    {
        int Vfs(AppliedVariant v, string host) => v.Topology.Nics.Single(n => n.Host.Value == host).ConfiguredVfs;
        Assert.Equal(20, Vfs(Apply(new ChangeSpec.SetNumVfs(Hosts("a-01"), 20, null, false)), "a-01"));
        Assert.Equal(8, Vfs(Apply(new ChangeSpec.SetNumVfs(Hosts("a-01"), 20, null, false)), "a-02"));
        Assert.Equal(12, Vfs(Apply(new ChangeSpec.SetNumVfs(Clusters("a"), null, 4, false)), "a-02"));
        Assert.Equal(32, Vfs(Apply(new ChangeSpec.SetNumVfs(Clusters("b"), null, null, true)), "b-01"));
        Assert.Throws<ScenarioException>(() => Apply(new ChangeSpec.SetNumVfs(Clusters("a"), null, -9, false)));
    }

    [Fact]
    public void Fewer_vfs_trim_resource_pools_and_holders_beyond_the_new_count()
    {
        var nic = new NicId("a-01/0000:3b:00.0");
        var t = Base with
        {
            ResourcePools = [new ResourcePoolSpec(nic, "low", ValueList.Of(0, 1)), new ResourcePoolSpec(nic, "high", ValueList.Of(6, 7))],
            VfHolders = [new VfHolderSpec(nic, 7, new("vm-1"), "net0")],
        };
        var v = Apply(t, new ChangeSpec.SetNumVfs(Hosts("a-01"), 4, null, false));
        Assert.Equal("low", Assert.Single(v.Topology.ResourcePools).Name);
        Assert.Empty(v.Topology.VfHolders);
    }

    [Fact]
    public void Hyper_v_refuses_iov_on_an_existing_switch_in_place_and_offers_to_recreate_it()
    {
        var t = Base with { Switches = Base.Switches.Select(s => s with { IovEnabled = false }).ToValueList() };
        var e = Assert.Throws<ScenarioException>(() => Apply(t, new ChangeSpec.SwitchIov(Clusters("a"), true, Recreate: false)));
        Assert.Contains("IOV is fixed when a HyperV switch is created; add recreate: true", e.Message);

        var recreated = Apply(t, new ChangeSpec.SwitchIov(Clusters("a"), true, Recreate: true));
        Assert.All(recreated.Topology.Switches.Where(s => s.Host.Value.StartsWith('a')), s => Assert.True(s.IovEnabled));
        // vSphere sets IOV per NIC/port group in place
        var inPlace = Apply(t, new ChangeSpec.SwitchIov(Clusters("b"), true, Recreate: false));
        Assert.All(inPlace.Topology.Switches.Where(s => s.Host.Value.StartsWith('b')), s => Assert.True(s.IovEnabled));
        Assert.All(inPlace.Topology.Switches.Where(s => s.Host.Value.StartsWith('a')), s => Assert.False(s.IovEnabled));
    }

    [Fact]
    public void Enabling_sriov_changes_the_selected_vms_a_cohort_or_the_arriving_workload()
    {
        var t = Base.WithVms(("vm-1", "a-01", 0), ("vm-2", "b-01", 0));
        var v = Apply(t, new ChangeSpec.EnableSriov(Hosts("a-*"), null, false, 60, null));
        Assert.Equal([60, 0], v.Topology.Vms.Select(x => x.Vnics[0].IovWeight));

        var withCohort = Scenario(Synthetic(1, 1, Network(share: 0.2)), 24, 1, 1, cohorts: [Cohort("web", 1, network: Network(share: 0))],
            variants: Variant("v", new ChangeSpec.EnableSriov(null, "web", false, 30, null), new ChangeSpec.EnableSriov(null, null, true, 90, 0.75)));
        var applied = VariantApplier.Apply(withCohort, Base, withCohort.Variants[0], Epoch);
        Assert.Equal((1.0, (DistributionSpec)new DistributionSpec.Fixed(30)), (applied.Cohorts[0].Network.SriovShare, applied.Cohorts[0].Network.IovWeight));
        Assert.Equal(0.75, applied.WorkloadNetwork!.SriovShare);
        Assert.Equal(0.2, ((WorkloadSpec.Synthetic)withCohort.Workload).Network.SriovShare);
    }

    [Fact]
    public void A_selection_that_matches_nothing_is_an_error_naming_the_selection()
    {
        var e = Assert.Throws<ScenarioException>(() => Apply(new ChangeSpec.SetNumVfs(Clusters("z"), 4, null, false) { Where = At(9) }));
        Assert.Contains("the selection clusters z selects no PF of the base (4 PFs on 4 hosts)", e.Message);
        Assert.Equal(9, e.Line);
    }

    [Fact]
    public void A_model_criterion_matches_the_catalogs_part_numbers()
    {
        // "X520" is the catalog's Intel 82599 / X520, which "Intel 82599ES ..." is; the X710 PFs are not
        var v = Apply(new ChangeSpec.SetNumVfs(ModelIs("X520"), 16, null, false));
        Assert.Equal([16, 16, 16, 16], v.Topology.Nics.Select(n => n.ConfiguredVfs));
        var x710 = Apply(new ChangeSpec.SetNumVfs(ModelIs("X710"), 20, null, false));
        Assert.Equal([8, 8, 20, 20], x710.Topology.Nics.Select(n => n.ConfiguredVfs));
        Assert.Throws<ScenarioException>(() => Apply(new ChangeSpec.SetNumVfs(ModelIs("XL710"), 20, null, false)));
    }

    [Fact]
    public void Part_numbers_are_read_from_the_catalog_names()
    {
        Assert.Equal(["82599", "X520"], VariantApplier.PartNumbers(Twin.Events.Catalog.NicCatalog.Find("intel-82599")!));
        Assert.Equal(["ConnectX-4", "ConnectX-5", "ConnectX-6"], VariantApplier.PartNumbers(Twin.Events.Catalog.NicCatalog.Find("mellanox-connectx5")!));
        Assert.Equal(["SFN7000", "SFN8000"], VariantApplier.PartNumbers(Twin.Events.Catalog.NicCatalog.Find("solarflare-sfn8000")!));
        Assert.Equal(["I350"], VariantApplier.PartNumbers(Twin.Events.Catalog.NicCatalog.Find("intel-i350")!));
    }

    [Fact]
    public void A_variant_applies_its_basedOn_chain_first()
    {
        var scenario = Scenario(new WorkloadSpec.None(), 24, 1, 1, variants:
        [
            Variant("more", new ChangeSpec.SetNumVfs(Clusters("a"), 32, null, false)),
            new VariantSpec("more-spread", null, "more", [new ChangeSpec.SetPlacement(PlacementPolicy.Spread)], default),
        ]);
        var v = VariantApplier.Apply(scenario, Base, scenario.Variants[1], Epoch);
        Assert.Equal((PlacementPolicy.Spread, 32), (v.Placement, v.Topology.Nics[0].ConfiguredVfs));
        Assert.Equal(2, v.Applied.Count);
    }
}
