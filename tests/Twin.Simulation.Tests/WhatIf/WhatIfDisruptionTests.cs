using System.Text.Json;
using Twin.Events.Inventory;
using Twin.Events.Platforms;
using Twin.Simulation.Engine;
using Twin.Simulation.Model;
using Twin.Simulation.WhatIf;
using static Twin.Simulation.Tests.WhatIf.WhatIfFixtures;

namespace Twin.Simulation.Tests.WhatIf;

/// <summary>What-ifs with failures (outages, random failures, HA restarts on or off, changed by variants) and with
/// workloads placed within clusters (scope: cluster), and clusters run apart giving the same report.</summary>
public sealed class WhatIfDisruptionTests
{
    private static OutageSpec HostDown(string host, double atHours, double hours, int line = 12) =>
        new(OutageKind.Host, host, SimDuration.FromHours(atHours), SimDuration.FromHours(hours), new SourcePosition(line, 7, "failures.outages[0]"));

    private static FailureSpec Outages(params OutageSpec[] outages) => new(null, null, outages, null, new SourcePosition(10, 1, "failures"));

    private static VariantSpec WaitForRepair => Variant("wait", new ChangeSpec.SetFailures(new FailureSpec(null, null, null, false, default)));

    // ---------------- host outages ----------------

    [Fact]
    public void A_host_outage_interrupts_its_vms_and_hyperv_restarts_them_on_another_host_of_the_cluster()
    {
        var topology = Datacenter(16, ("a", Platform.HyperV, 2, 4, 63, "Intel 82599ES")).WithVms(("vm-1", "a-01", 50), ("vm-2", "a-01", 50), ("vm-3", "a-02", 0));
        var scenario = Scenario(new WorkloadSpec.None(), 48, 3, 1, PlacementPolicy.FirstFit, null, WaitForRepair) with { Failures = Outages(HostDown("a-01", 10, 6)) };
        var report = Run(scenario, topology);

        var d = report.Baseline.Disruptions!;
        Assert.Equal((1.0, 6.0, 2.0), (d.HostFailures.P50, d.HostHoursDown.P50, d.VmsInterrupted.P50));
        Assert.Equal((2.0, 0.0, 0.0, 0.0), (d.RestartedElsewhere.P50, d.RestartedAtRepair.P50, d.NotRestarted.P50, d.VmHoursDown.P50));
        Assert.True(d.Failures);
        // restarted on a-02 at 10 h, with VFs there: a-01's PF held two VFs for 10 of the 48 hours, a-02's for 38
        Assert.Equal(2.0 * 10 / 48, report.Baseline.PfResults[0].MeanAllocated.P50, 6);
        Assert.Equal(2.0 * 38 / 48, report.Baseline.PfResults[1].MeanAllocated.P50, 6);
        Assert.Contains(report.Notes, n => n.Contains("host a-01 from 10 h for 6 h", StringComparison.Ordinal));

        // the variant keeps the outage and turns HA restarts off: both wait the 6 hours for their host
        var wait = report.Variant("wait")!;
        Assert.Equal((2.0, 0.0, 2.0, 12.0), (wait.Disruptions!.VmsInterrupted.P50, wait.Disruptions.RestartedElsewhere.P50, wait.Disruptions.RestartedAtRepair.P50,
            wait.Disruptions.VmHoursDown.P50));
        Assert.Equal(2.0 * (10 + 32) / 48, wait.PfResults[0].MeanAllocated.P50, 6);
        Assert.Equal(12, wait.VersusBaseline!.VmHoursDownChange);
        Assert.Contains("12 VM-hours down to host failures instead of 0 (P50)", wait.VersusBaseline.Verdict, StringComparison.Ordinal);
        Assert.Contains("a failed host's VMs wait for its repair", Assert.Single(wait.Changes), StringComparison.Ordinal);
    }

    [Fact]
    public void Vsphere_ha_leaves_the_sriov_vm_of_a_failed_host_for_its_repair()
    {
        var topology = Datacenter(16, ("b", Platform.VSphere, 2, 4, 32, "Intel X710")).WithVms(("sriov", "b-01", 50), ("plain", "b-01", 0));
        var report = Run(Scenario(new WorkloadSpec.None(), 48, 2, 1) with { Failures = Outages(HostDown("b-01", 5, 3)) }, topology);
        var d = report.Baseline.Disruptions!;
        Assert.Equal((2.0, 1.0, 1.0, 3.0), (d.VmsInterrupted.P50, d.RestartedElsewhere.P50, d.RestartedAtRepair.P50, d.VmHoursDown.P50));
    }

    [Fact]
    public void Without_failures_the_report_has_no_disruption_to_show()
    {
        var topology = Datacenter(16, ("a", Platform.HyperV, 2, 4, 63, "Intel 82599ES"));
        var report = Run(Scenario(Synthetic(2, 10), 48, 2, 1), topology);
        Assert.False(report.Baseline.Disruptions!.Any);
        Assert.Equal(0, report.Baseline.Disruptions.VmsInterrupted.Max);
        Assert.DoesNotContain(report.Notes, n => n.StartsWith("failures:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_pf_outage_revokes_the_vfs_of_its_vnics()
    {
        var topology = Datacenter(16, ("a", Platform.HyperV, 1, 4, 63, "Intel 82599ES")).WithVms(("vm-1", "a-01", 50), ("vm-2", "a-01", 50));
        var outage = new OutageSpec(OutageKind.Nic, "a-01/0000:3b:00.0", SimDuration.FromHours(2), SimDuration.FromHours(1), new SourcePosition(12, 7, "failures.outages[0]"));
        var d = Run(Scenario(new WorkloadSpec.None(), 24, 2, 1) with { Failures = Outages(outage) }, topology).Baseline.Disruptions!;
        Assert.Equal((1.0, 1.0, 2.0, 0.0), (d.PfFailures.P50, d.PfHoursFailed.P50, d.VfsRevokedByPfFailures.P50, d.VmsInterrupted.P50));
    }

    [Fact]
    public void Random_failures_of_a_seed_are_the_same_in_every_variant()
    {
        var topology = Datacenter(16, ("a", Platform.Kvm, 4, 8, 63, "Intel 82599ES"));
        var failures = new FailureSpec(new FailureRate(SimDuration.FromDays(5), SimDuration.FromHours(4)), new FailureRate(SimDuration.FromDays(10), null), null, null, default);
        var scenario = Scenario(Synthetic(1, 20), 24 * 30, 4, 3, PlacementPolicy.SriovAware, null,
            Variant("more-vfs", new ChangeSpec.SetNumVfs(All, 16, null, false))) with { Failures = failures };
        var report = Run(scenario, topology);
        var (b, v) = (report.Baseline.Disruptions!, report.Variants[1].Disruptions!);
        Assert.True(b.HostFailures.Min > 0 && b.PfFailures.Min > 0, JsonSerializer.Serialize(b));
        // each host's and PF's failures come from its own stream: a variant that changes VFs fails the same hosts at the same moments
        Assert.Equal((b.HostFailures, b.HostHoursDown, b.PfFailures, b.PfHoursFailed), (v.HostFailures, v.HostHoursDown, v.PfFailures, v.PfHoursFailed));
    }

    // ---------------- outages checked against the datacenter ----------------

    [Fact]
    public void An_outage_of_a_host_or_pf_not_in_the_base_is_refused_at_its_line()
    {
        var topology = Datacenter(16, ("a", Platform.HyperV, 2, 4, 63, "Intel 82599ES"));
        var host = Assert.Throws<ScenarioException>(() => Run(Scenario(new WorkloadSpec.None(), 24, 1, 1) with { Failures = Outages(HostDown("a-03", 1, 1, line: 14)) }, topology));
        Assert.Equal((14, "failures.outages[0].host"), (host.Line, host.Field));
        Assert.Contains("the base has no host 'a-03' (did you mean 'a-01'?)", host.Message, StringComparison.Ordinal);

        var pf = new OutageSpec(OutageKind.Nic, "a-01/0000:3b:00.1", SimDuration.Zero, SimDuration.FromHours(1), new SourcePosition(15, 7, "failures.outages[1]"));
        var nic = Assert.Throws<ScenarioException>(() => Run(Scenario(new WorkloadSpec.None(), 24, 1, 1) with { Failures = Outages(pf) }, topology));
        Assert.Equal((15, "failures.outages[1].pf"), (nic.Line, nic.Field));
        Assert.Contains("has no PF 'a-01/0000:3b:00.1' (did you mean 'a-01/0000:3b:00.0'?)", nic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_variant_may_fail_a_host_it_adds_which_the_base_does_not_have()
    {
        var topology = Datacenter(16, ("a", Platform.HyperV, 1, 4, 63, "Intel 82599ES")).WithVms(("vm-1", "a-01", 50));
        var add = new ChangeSpec.AddHosts(1, "a", Platform.HyperV, "Windows Server 2022", 16, 64, "intel-e810", 8, null, true, "a-new-");
        var fail = new ChangeSpec.SetFailures(new FailureSpec(null, null, [HostDown("a-new-01", 1, 2)], null, default));
        var report = Run(Scenario(new WorkloadSpec.None(), 24, 1, 1, PlacementPolicy.FirstFit, null, Variant("bigger", add, fail)), topology);
        Assert.Equal((0.0, 1.0), (report.Baseline.Disruptions!.HostFailures.P50, report.Variant("bigger")!.Disruptions!.HostFailures.P50));

        var inBase = Scenario(new WorkloadSpec.None(), 24, 1, 1) with { Failures = Outages(HostDown("a-new-01", 1, 2)) };
        Assert.Contains("the base has no host 'a-new-01'", Assert.Throws<ScenarioException>(() => Run(inBase, topology)).Message, StringComparison.Ordinal);
    }

    // ---------------- a variant's failures over the base's ----------------

    [Fact]
    public void A_variants_failures_replace_only_the_fields_they_give()
    {
        var topology = Datacenter(16, ("a", Platform.HyperV, 2, 4, 63, "Intel 82599ES"));
        var rate = new FailureRate(SimDuration.FromDays(30), SimDuration.FromHours(5));
        var scenario = Scenario(new WorkloadSpec.None(), 24, 1, 1, PlacementPolicy.FirstFit, null,
            WaitForRepair, Variant("quiet", new ChangeSpec.SetFailures(new FailureSpec(new FailureRate(null, null), new FailureRate(null, null), [], null, default)))) with
        {
            Failures = new FailureSpec(rate, null, [HostDown("a-01", 1, 1)], null, default),
        };
        var wait = VariantApplier.Apply(scenario, topology, scenario.Variants[0], Epoch).Failures.ToOptions();
        Assert.Equal((SimDuration.FromDays(30), SimDuration.FromHours(5), 1, false), (wait.HostMtbf!.Value, wait.HostMttr, wait.Outages.Count, wait.RestartElsewhere));
        var quiet = VariantApplier.Apply(scenario, topology, scenario.Variants[1], Epoch).Failures;
        Assert.False(quiet.Any);
        Assert.True(VariantApplier.Apply(scenario, topology, null, Epoch).Failures.ToOptions().RestartElsewhere);
    }

    // ---------------- placement scope ----------------

    private static readonly Topology ThreeSizes = Datacenter(256,
        ("a", Platform.HyperV, 6, 8, 63, "Intel 82599ES"), ("b", Platform.VSphere, 3, 8, 32, "Intel X710"), ("c", Platform.Kvm, 1, 8, 63, "Intel 82599ES"));

    private static List<SimVm> Vms(WhatIfScenario scenario, Topology topology, VariantSpec? variant = null, ulong replication = 0)
    {
        var workloads = new WhatIfWorkloads(scenario, _ => throw new FileNotFoundException(), topology);
        return [.. workloads.For(VariantApplier.Apply(scenario, topology, variant, Epoch), [], keepBaseVms: true, replication)];
    }

    [Fact]
    public void A_cluster_scoped_workload_gives_every_vm_a_cluster_in_proportion_to_its_hosts_and_moves_no_other_draw()
    {
        var anyHost = Scenario(Synthetic(50, 10, Network(0.5)), 200, 1, 4, cohorts: [Cohort("web", 5)]);
        var scoped = anyHost with
        {
            Workload = (WorkloadSpec.Synthetic)anyHost.Workload with { Scope = PlacementScope.Cluster },
            Cohorts = [anyHost.Cohorts[0] with { Scope = PlacementScope.Cluster }],
        };
        var free = Vms(anyHost, ThreeSizes);
        var placed = Vms(scoped, ThreeSizes);
        Assert.True(placed.Count > 10_000);
        Assert.All(free, v => Assert.Null(v.Cluster));
        Assert.All(placed, v => Assert.Contains(v.Cluster, new[] { "a", "b", "c" }));
        // the scope draws from a stream of its own: every other attribute is as without it
        Assert.Equal(free, placed.Select(v => v with { Cluster = null }));
        var share = placed.GroupBy(v => v.Cluster!).ToDictionary(g => g.Key, g => (double)g.Count() / placed.Count);
        Assert.InRange(share["a"], 0.58, 0.62);
        Assert.InRange(share["b"], 0.28, 0.32);
        Assert.InRange(share["c"], 0.08, 0.12);

        // a variant with more hosts in c sends every VM to the same cluster as the baseline (the base's clusters weigh)
        var bigger = Variant("c-bigger", new ChangeSpec.AddHosts(10, "c", Platform.Kvm, "libvirt 9.0", 64, 1024, "intel-e810", 8, null, true, "c-new-"));
        Assert.Equal(placed.Select(v => v.Cluster), Vms(scoped with { Variants = [bigger] }, ThreeSizes, bigger).Select(v => v.Cluster));
        Assert.NotEqual(placed.Select(v => v.Cluster), Vms(scoped, ThreeSizes, replication: 1).Select(v => v.Cluster).Take(placed.Count));
    }

    [Fact]
    public void A_cluster_scoped_run_places_every_vm_in_its_cluster()
    {
        // first fit without a scope would put every VM on a-01; with it, each cluster takes exactly the VMs drawn for it
        var scenario = Scenario(Synthetic(4, 1000, Network(0.5)) with { Scope = PlacementScope.Cluster }, 48, 1, 9);
        var drawn = Vms(scenario, ThreeSizes).GroupBy(v => v.Cluster!).ToDictionary(g => g.Key, g => (double)g.Count());
        var report = Run(scenario, ThreeSizes);
        Assert.Equal(0, report.Baseline.Demand.VmsRefusedForRoom.Max);
        // a VM is placed on a host of its cluster, or its start fails there (vSphere and KVM without a free VF)
        var placed = report.Baseline.HostResults.GroupBy(h => h.Cluster).ToDictionary(g => g.Key, g => g.Sum(h => h.VmsPlaced.P50 + h.FailedStarts.P50));
        Assert.Equal(drawn.OrderBy(x => x.Key), placed.OrderBy(x => x.Key));
        Assert.All(drawn.Values, n => Assert.True(n > 5));
        Assert.Contains(report.Notes, n => n.Contains("scope: cluster", StringComparison.Ordinal));
    }

    // ---------------- clusters apart ----------------

    [Fact]
    public void A_scoped_scenario_gives_the_same_report_with_its_clusters_apart_and_in_one_run()
    {
        var failures = new FailureSpec(new FailureRate(SimDuration.FromDays(4), SimDuration.FromHours(6)), new FailureRate(SimDuration.FromDays(6), null),
            [HostDown("a-02", 24, 12), new OutageSpec(OutageKind.Nic, "b-01/0000:3b:00.0", SimDuration.FromHours(30), SimDuration.FromHours(4), default)], null, default);
        var scenario = Scenario(Synthetic(6, 30, Network(0.7, vnics: 2)) with { Scope = PlacementScope.Cluster }, 24 * 20, 4, 17, PlacementPolicy.SriovAware,
            [Cohort("web", 0.5, "c", meanHours: 200), Cohort("batch", 1, meanHours: 50) with { Scope = PlacementScope.Cluster }],
            WaitForRepair, Variant("more-vfs", new ChangeSpec.SetNumVfs(All, 16, null, false))) with { Failures = failures };
        var topology = ThreeSizes.WithVms(("vm-1", "a-01", 50), ("vm-2", "b-02", 100), ("vm-3", "c-01", 0));
        var input = Input(scenario, topology);
        Assert.Equal([true, true, true], WhatIfEngine.RunsApartFor(input with { ClustersApart = true }));
        // 10 hosts: too few for it to pay by default
        Assert.Equal([false, false, false], WhatIfEngine.RunsApartFor(input));

        var apart = JsonSerializer.Serialize(RunEngine(input with { ClustersApart = true }));
        var inOrder = JsonSerializer.Serialize(RunEngine(input with { ClustersApart = false }));
        Assert.Equal(inOrder, apart);
        var report = JsonSerializer.Deserialize<WhatIfReport>(apart)!;
        Assert.True(report.Baseline.Disruptions!.VmsInterrupted.Min > 0 && report.Baseline.Disruptions.VfsRevokedByPfFailures.Max > 0, apart);
    }

    [Fact]
    public void A_workload_free_to_go_anywhere_never_runs_apart()
    {
        var topology = ThreeSizes;
        var free = Input(Scenario(Synthetic(2, 10), 24, 1, 1, cohorts: [Cohort("web", 1, "a")]), topology) with { ClustersApart = true };
        Assert.False(WhatIfEngine.RunsApartFor(free).Single());
        var freeCohort = Input(Scenario(Synthetic(2, 10, cluster: "a"), 24, 1, 1, cohorts: [Cohort("web", 1)]), topology) with { ClustersApart = true };
        Assert.False(WhatIfEngine.RunsApartFor(freeCohort).Single());
        var none = Input(Scenario(new WorkloadSpec.None(), 24, 1, 1, cohorts: [Cohort("web", 1, "b")]), topology) with { ClustersApart = true };
        Assert.True(WhatIfEngine.RunsApartFor(none).Single());
    }
}
