using System.Text.Json;
using Twin.Events.Inventory;
using Twin.Events.Platforms;
using Twin.Simulation.Engine;
using Twin.Simulation.Model;
using Twin.Simulation.WhatIf;
using static Twin.Simulation.Tests.WhatIf.WhatIfFixtures;

namespace Twin.Simulation.Tests.WhatIf;

/// <summary>What-ifs with host maintenance: one host's window and the rolling maintenance of a cluster, by platform
/// (vSphere shuts its SR-IOV VMs down, Hyper-V moves every VM), replaced or dropped by variants, checked against the
/// datacenter (unknown hosts and clusters, a rolling maintenance that does not fit the horizon), and the same report
/// with clusters apart.</summary>
public sealed class WhatIfMaintenanceTests
{
    private static MaintenanceSpec Rolling(string cluster, double atHours, double eachHours, double gapHours = 0, int line = 12) =>
        new(cluster, true, SimDuration.FromHours(atHours), SimDuration.FromHours(eachHours), SimDuration.FromHours(gapHours),
            new SourcePosition(line, 5, "maintenance[0]"));

    private static MaintenanceSpec Window(string host, double atHours, double hours, int line = 12) =>
        new(host, false, SimDuration.FromHours(atHours), SimDuration.FromHours(hours), SimDuration.Zero, new SourcePosition(line, 5, "maintenance[0]"));

    // a (Hyper-V) and b (vSphere), three hosts each; on the first two hosts of each an SR-IOV VM, and a plain one on the first
    private static readonly Topology TwoPlatforms = Datacenter(16, ("a", Platform.HyperV, 3, 4, 63, "Intel 82599ES"), ("b", Platform.VSphere, 3, 4, 32, "Intel X710"))
        .WithVms(("a-sriov-1", "a-01", 50), ("a-plain", "a-01", 0), ("a-sriov-2", "a-02", 50), ("b-sriov-1", "b-01", 50), ("b-plain", "b-01", 0), ("b-sriov-2", "b-02", 50));

    [Fact]
    public void A_rolling_maintenance_of_a_vsphere_cluster_shuts_its_sriov_vms_down_and_counts_their_hours_down()
    {
        // b-01 from 10 h to 14 h, b-02 from 15 h to 19 h, b-03 from 20 h to 24 h
        var scenario = Scenario(new WorkloadSpec.None(), 48, 2, 1) with { Maintenance = [Rolling("b", 10, 4, 1)] };
        var (report, runs) = Detailed(Input(scenario, TwoPlatforms));

        var d = report.Baseline.Disruptions!;
        Assert.True(d.Maintenance && d.Any);
        Assert.Equal((3.0, 12.0), (d.MaintenanceWindows.P50, d.HostHoursInMaintenance.P50));
        // vMotion refuses SR-IOV VMs: each SR-IOV VM is off for its host's 4 hours and back on it after; the plain VM
        // moves to b-02 (first fit) and, when b-02's turn comes, back to b-01
        Assert.Equal((2.0, 2.0, 2.0, 0.0), (d.VmsMovedForMaintenance.P50, d.VmsShutDownForMaintenance.P50, d.RestartedAfterMaintenance.P50, d.NotRestarted.P50));
        Assert.Equal(8.0, d.VmHoursDown.P50);
        Assert.Equal((0.0, 0.0), (d.HostFailures.Max, d.VmsInterrupted.Max));
        Assert.Equal([4.0, 4.0, 4.0], runs[0][0].Hosts.Where(h => h.Cluster == "b").Select(h => h.HoursInMaintenance));
        Assert.All(runs[0][0].Hosts.Where(h => h.Cluster == "a"), h => Assert.Equal(0, h.HoursInMaintenance));
        // the SR-IOV VMs are back with their VFs: b-01's PF held one VF for 44 of the 48 hours
        Assert.Equal(44.0 / 48, report.Baseline.PfResults.Single(p => p.Host == "b-01").MeanAllocated.P50, 6);
        Assert.Contains(report.Notes, n => n.StartsWith("maintenance: cluster b's hosts in maintenance one after another from 10 h, 4 h each, 1 h apart (3 host(s), the last back at 24 h)",
            StringComparison.Ordinal));
    }

    [Fact]
    public void A_rolling_maintenance_of_a_hyperv_cluster_moves_every_vm_with_its_vf_and_loses_no_hour()
    {
        var scenario = Scenario(new WorkloadSpec.None(), 48, 2, 1) with { Maintenance = [Rolling("a", 10, 4, 1)] };
        var d = Run(scenario, TwoPlatforms).Baseline.Disruptions!;
        Assert.Equal((3.0, 12.0), (d.MaintenanceWindows.P50, d.HostHoursInMaintenance.P50));
        // a-01's two VMs go to a-02; at a-02's turn its three go to a-01 (back from maintenance); a-03 has none by then
        Assert.Equal((5.0, 0.0, 0.0), (d.VmsMovedForMaintenance.P50, d.VmsShutDownForMaintenance.P50, d.RestartedAfterMaintenance.P50));
        Assert.Equal(0.0, d.VmHoursDown.Max);
        // Hyper-V moves a VM synthetic and gives it a VF on the destination when one is free: the three moves of SR-IOV
        // VMs (a-sriov-1 twice, a-sriov-2 once) each found one
        Assert.Equal((3.0, 3.0), (d.VnicsOnVfBeforeMigration.P50, d.VnicsOnVfAfterMigration.P50));
    }

    [Fact]
    public void A_variant_replaces_or_drops_the_bases_maintenance_and_the_verdict_says_what_it_costs()
    {
        var scenario = Scenario(new WorkloadSpec.None(), 48, 2, 1, PlacementPolicy.FirstFit, null,
            Variant("roll-a-instead", new ChangeSpec.SetMaintenance([Rolling("a", 10, 4, 1)])),
            Variant("none", new ChangeSpec.SetMaintenance([]))) with
        {
            Maintenance = [Rolling("b", 10, 4, 1)],
        };
        var report = Run(scenario, TwoPlatforms);
        var (b, a, none) = (report.Baseline.Disruptions!, report.Variant("roll-a-instead")!, report.Variant("none")!);
        Assert.Equal((8.0, 0.0, 0.0), (b.VmHoursDown.P50, a.Disruptions!.VmHoursDown.P50, none.Disruptions!.VmHoursDown.P50));
        Assert.Equal((3.0, 0.0), (a.Disruptions.MaintenanceWindows.P50, none.Disruptions.MaintenanceWindows.Max));
        Assert.False(none.Disruptions.Any);
        Assert.Equal(-8, a.VersusBaseline!.VmHoursDownChange);
        Assert.Contains("0 VM-hours down to maintenance instead of 8 (P50)", a.VersusBaseline.Verdict, StringComparison.Ordinal);
        Assert.StartsWith("cluster a's hosts in maintenance one after another from 10 h", Assert.Single(a.Changes), StringComparison.Ordinal);
        Assert.Equal("no host maintenance", Assert.Single(none.Changes));
    }

    [Fact]
    public void A_rolling_maintenance_takes_the_hosts_a_variant_adds_to_the_cluster_after_the_bases()
    {
        var add = new ChangeSpec.AddHosts(2, "a", Platform.HyperV, "Windows Server 2022", 16, 64, "intel-e810", 8, null, true, "a-new-");
        var scenario = Scenario(new WorkloadSpec.None(), 48, 1, 1, PlacementPolicy.FirstFit, null, Variant("bigger", add)) with { Maintenance = [Rolling("a", 1, 2)] };
        var (report, runs) = Detailed(Input(scenario, TwoPlatforms));
        Assert.Equal((3.0, 5.0), (report.Baseline.Disruptions!.MaintenanceWindows.P50, report.Variant("bigger")!.Disruptions!.MaintenanceWindows.P50));
        // back to back from 1 h: the added hosts come after the base's, a-new-02 last, from 9 h to 11 h
        Assert.Equal([2.0, 2.0, 2.0, 2.0, 2.0], runs[1][0].Hosts.Where(h => h.Cluster == "a").Select(h => h.HoursInMaintenance));
        Assert.Equal(["a-01", "a-02", "a-03", "a-new-01", "a-new-02"],
            Rolling("a", 1, 2).Windows(VariantApplier.Apply(scenario, TwoPlatforms, scenario.Variants[0], Epoch).Topology).Select(w => w.Host));
        Assert.Equal(SimTime.FromHours(9), Rolling("a", 1, 2).Windows(VariantApplier.Apply(scenario, TwoPlatforms, scenario.Variants[0], Epoch).Topology).Last().At);
    }

    [Fact]
    public void A_report_made_before_maintenance_was_simulated_reads_with_none()
    {
        var report = Run(Scenario(new WorkloadSpec.None(), 24, 1, 1) with { Maintenance = [Rolling("b", 1, 2)] }, TwoPlatforms);
        var json = System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(report))!;
        var disruptions = json["Variants"]![0]!["Disruptions"]!.AsObject();
        Assert.Equal(3.0, disruptions["MaintenanceWindows"]!["P50"]!.GetValue<double>());
        foreach (var figure in new[] { "MaintenanceWindows", "HostHoursInMaintenance", "VmsMovedForMaintenance", "VmsShutDownForMaintenance", "RestartedAfterMaintenance" })
            Assert.True(disruptions.Remove(figure), figure);

        var old = json.Deserialize<WhatIfReport>()!.Baseline.Disruptions!;
        Assert.False(old.Maintenance);
        Assert.Equal(new Band(0, 0, 0, 0), old.HostHoursInMaintenance);
        Assert.Equal(report.Baseline.Disruptions!.VmHoursDown, old.VmHoursDown);
    }

    // ---------------- checked against the datacenter ----------------

    [Fact]
    public void A_maintenance_of_a_host_or_cluster_not_in_the_base_is_refused_at_its_line_with_the_closest_name()
    {
        var host = Assert.Throws<ScenarioException>(() => Run(Scenario(new WorkloadSpec.None(), 24, 1, 1) with { Maintenance = [Window("b-1", 1, 1, line: 14)] }, TwoPlatforms));
        Assert.Equal((14, "maintenance[0].host"), (host.Line, host.Field));
        Assert.Contains("the base has no host 'b-1' (did you mean 'b-01'?)", host.Message, StringComparison.Ordinal);

        var cluster = Assert.Throws<ScenarioException>(() => Run(Scenario(new WorkloadSpec.None(), 24, 1, 1) with { Maintenance = [Rolling("bb", 1, 1, line: 15)] }, TwoPlatforms));
        Assert.Equal((15, "maintenance[0].rolling"), (cluster.Line, cluster.Field));
        Assert.Contains("the base has no cluster 'bb' (did you mean 'b'?)", cluster.Message, StringComparison.Ordinal);

        // a variant's maintenance is checked against the variant's datacenter: the hosts it adds are there, not in the base
        var add = new ChangeSpec.AddHosts(1, "c", Platform.Kvm, "libvirt 9.0", 16, 64, "intel-e810", 8, null, true, "c-");
        var ok = Run(Scenario(new WorkloadSpec.None(), 24, 1, 1, PlacementPolicy.FirstFit, null,
            Variant("with-c", add, new ChangeSpec.SetMaintenance([Rolling("c", 1, 1)]))), TwoPlatforms);
        Assert.Equal(1.0, ok.Variant("with-c")!.Disruptions!.MaintenanceWindows.P50);
        var inBase = Scenario(new WorkloadSpec.None(), 24, 1, 1) with { Maintenance = [Rolling("c", 1, 1)] };
        Assert.Contains("the base has no cluster 'c'", Assert.Throws<ScenarioException>(() => Run(inBase, TwoPlatforms)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rolling_maintenance_whose_last_host_would_start_at_or_after_the_horizon_is_refused_at_its_line()
    {
        // a-03's window would start at 2 + 2 * (10 + 1) = 24 h: the horizon
        var late = Scenario(new WorkloadSpec.None(), 24, 1, 1) with { Maintenance = [Rolling("a", 2, 10, 1, line: 16)] };
        var e = Assert.Throws<ScenarioException>(() => Run(late, TwoPlatforms));
        Assert.Equal((16, "maintenance[0]"), (e.Line, e.Field));
        Assert.Contains("the rolling maintenance of cluster a does not fit before the horizon (24 h): the base has 3 host(s) there, and host a-03's window would start at 24 h",
            e.Message, StringComparison.Ordinal);

        // a minute earlier it fits, and the last window runs on to the horizon
        var fits = Run(late with { Maintenance = [Rolling("a", 2 - (1.0 / 60), 10, 1)] }, TwoPlatforms).Baseline.Disruptions!;
        Assert.Equal(3.0, fits.MaintenanceWindows.P50);
        Assert.Equal(20 + (1.0 / 60), fits.HostHoursInMaintenance.P50, 6);
    }

    // ---------------- with failures and a workload, clusters apart ----------------

    [Fact]
    public void Maintenance_with_failures_gives_the_same_report_with_its_clusters_apart_and_in_one_run()
    {
        var topology = Datacenter(64, ("a", Platform.HyperV, 4, 8, 63, "Intel 82599ES"), ("b", Platform.VSphere, 3, 8, 32, "Intel X710"), ("c", Platform.Kvm, 2, 8, 63, "Intel 82599ES"))
            .WithVms(("vm-1", "a-01", 50), ("vm-2", "b-01", 100), ("vm-3", "c-01", 0));
        var failures = new FailureSpec(new FailureRate(SimDuration.FromDays(4), SimDuration.FromHours(6)), null, null, null, default);
        var scenario = Scenario(Synthetic(6, 30, Network(0.7)) with { Scope = PlacementScope.Cluster }, 24 * 10, 3, 5, PlacementPolicy.SriovAware, null,
            Variant("no-maintenance", new ChangeSpec.SetMaintenance([]))) with
        {
            Failures = failures,
            Maintenance = [Rolling("b", 24, 6, 2), Rolling("a", 48, 4), Window("c-02", 30, 12)],
        };
        var input = Input(scenario, topology);
        var apart = JsonSerializer.Serialize(RunEngine(input with { ClustersApart = true }));
        Assert.Equal(JsonSerializer.Serialize(RunEngine(input with { ClustersApart = false })), apart);

        var report = JsonSerializer.Deserialize<WhatIfReport>(apart)!;
        var d = report.Baseline.Disruptions!;
        Assert.Equal((8.0, 3 * 6 + 4 * 4 + 12.0), (d.MaintenanceWindows.P50, d.HostHoursInMaintenance.P50));
        Assert.True(d.VmsMovedForMaintenance.Min > 0 && d.VmsShutDownForMaintenance.Min > 0 && d.HostFailures.Min > 0, apart);
        // the verdict names both causes: the model counts their VM-hours together
        Assert.Contains("VM-hours down to host failures and maintenance instead of", report.Variant("no-maintenance")!.VersusBaseline!.Verdict, StringComparison.Ordinal);
    }
}
