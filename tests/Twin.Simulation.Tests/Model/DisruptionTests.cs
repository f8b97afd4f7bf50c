using System.Text.Json;
using Twin.Events.Common;
using Twin.Events.Inventory;
using Twin.Events.Nics;
using Twin.Events.Platforms;
using Twin.Events.Switches;
using Twin.Simulation.Engine;
using Twin.Simulation.Engine.Randomness;
using Twin.Simulation.Model;
using static Twin.Simulation.Tests.Model.SimTopologies;

namespace Twin.Simulation.Tests.Model;

/// <summary>The events beyond arrivals and departures: power cycles, live migrations, traffic changes, hosts and PFs
/// failing and being repaired, each by its platform's rules; and clusters run apart giving the same results.</summary>
public sealed class DisruptionTests
{
    private static SimTime H(double hours) => SimTime.FromHours(hours);

    /// <summary>A VM of one vNIC that wants a VF (weight 50) unless <paramref name="wantsVf"/> is false.</summary>
    private static SimVm Vm(string id, double arrive, double? depart, bool wantsVf = true, string? host = null, double gbps = 1,
        params VmChange[] changes) =>
        new(id, H(arrive), depart is { } d ? H(d) : null, 1, 1, 1, wantsVf ? 50 : 0, gbps, 1000)
        {
            Host = host,
            Changes = changes.Length == 0 ? null : changes,
        };

    private static RunResult Run(Topology topology, double hours, IEnumerable<SimVm> vms, FailureOptions? failures = null, bool perVm = false,
        PlacementPolicy placement = PlacementPolicy.FirstFit, IReadOnlyList<MaintenanceWindow>? maintenance = null)
    {
        var model = new SimulationModel(Options(topology, hours, placement) with
        {
            PerVmResults = perVm, Failures = failures ?? FailureOptions.None, Maintenance = maintenance ?? [],
        });
        var result = model.Run([.. vms]);
        Assert.Empty(model.Invariants());
        foreach (var nic in result.Nics)
            Assert.Equal(nic.Granted + nic.HandedOver, nic.Released + nic.Preempted + nic.RevokedByFailure + nic.HeldAtEnd);
        return result;
    }

    private static FailureOptions Outage(OutageKind kind, string target, double from, double hours, bool restartElsewhere = true) =>
        new() { Outages = [new Outage(kind, target, H(from), SimDuration.FromHours(hours))], RestartElsewhere = restartElsewhere };

    // ---------------- power cycles ----------------

    [Fact]
    public void On_hyperv_a_stopped_vms_vf_goes_to_the_waiting_vm_and_back_when_that_one_leaves()
    {
        // one VF: a holds it, b waits; a stops (b gets it), a starts again (waits), b leaves (a gets it back)
        var result = Run(Hosts(Platform.HyperV, 1, 1), 12,
            [Vm("a", 0, 10, changes: [VmChange.Stop(H(2)), VmChange.Start(H(3))]), Vm("b", 1, 5)], perVm: true);
        var nic = result.Nics.Single();
        Assert.Equal(2, nic.HandedOver);
        Assert.Equal((1L, 1L, 0L, 0L), (result.Disruptions.Stops, result.Disruptions.Starts, result.Disruptions.StartsFailed, result.Disruptions.StartsRefused));
        var a = result.Vms!.Single(v => v.Id == "a");
        var b = result.Vms!.Single(v => v.Id == "b");
        Assert.Equal(2 + 5, a.HoursOnVf, 9);
        Assert.Equal(3, b.HoursOnVf, 9);
        // a waited from its restart (3 h) until b left (5 h); b from its arrival (1 h) until a stopped (2 h)
        Assert.Equal(2, a.HoursSyntheticWanted, 9);
        Assert.Equal(1, b.HoursSyntheticWanted, 9);
    }

    [Fact]
    public void On_vsphere_a_restart_without_a_free_vf_fails_and_a_later_one_succeeds()
    {
        var result = Run(Hosts(Platform.VSphere, 1, 1), 10,
            [Vm("a", 0, 8, changes: [VmChange.Stop(H(1)), VmChange.Start(H(3)), VmChange.Start(H(5))]), Vm("b", 2, 4)]);
        var d = result.Disruptions;
        Assert.Equal((1L, 1L, 1L), (d.Stops, d.Starts, d.StartsFailed));
        Assert.Equal(1, result.FailedStarts); // the power-on refused at 3 h: b held the only VF
        Assert.Equal(1, result.Nics.Single().FailedStarts);
        Assert.Equal(3, result.Nics.Single().Granted); // a at 0 h, b at 2 h, a at 5 h
    }

    [Fact]
    public void A_start_on_a_host_without_room_is_refused()
    {
        // two cores: a (1 core) stops, two others take the room, a's start is refused
        var result = Run(Hosts(Platform.Kvm, 1, 8, cores: 2), 10,
            [Vm("a", 0, null, wantsVf: false, changes: [VmChange.Stop(H(1)), VmChange.Start(H(3))]), Vm("b", 0.5, null, wantsVf: false), Vm("c", 2, null, wantsVf: false)]);
        Assert.Equal(1, result.Disruptions.StartsRefused);
        Assert.Equal(0, result.Disruptions.Starts);
    }

    // ---------------- live migration ----------------

    [Fact]
    public void Vsphere_refuses_to_move_an_sriov_vm_and_moves_the_others()
    {
        var result = Run(Hosts(Platform.VSphere, 2, 4), 10,
        [
            Vm("sriov", 0, null, host: "host-001", changes: [VmChange.Migrate(H(1))]),
            Vm("plain", 0, null, wantsVf: false, host: "host-001", changes: [VmChange.Migrate(H(1))]),
        ]);
        var d = result.Disruptions;
        Assert.Equal((2L, 1L, 1L, 0L), (d.MigrationsAsked, d.Migrated, d.MigrationsRefusedForSriov, d.MigrationsRefusedForRoom));
        Assert.Equal(1, result.Nics[0].HeldAtEnd);
    }

    [Fact]
    public void Hyperv_moves_a_vm_synthetic_and_it_waits_for_a_vf_on_the_destination()
    {
        var result = Run(Hosts(Platform.HyperV, 2, 1), 10,
        [
            Vm("a", 0, null, host: "host-001", changes: [VmChange.Migrate(H(1), "host-002")]),
            Vm("b", 0, 2, host: "host-002"),
        ]);
        var d = result.Disruptions;
        Assert.Equal((1L, 1L, 0L), (d.Migrated, d.VnicsOnVfBeforeMigration, d.VnicsOnVfAfterMigration));
        Assert.Equal(0, result.Nics[0].HeldAtEnd);
        // b left at 2 h: its VF went to a, waiting there
        Assert.Equal(1, result.Nics[1].HandedOver);
        Assert.Equal(1, result.Nics[1].HeldAtEnd);
    }

    [Fact]
    public void Kvm_replugs_a_vf_after_a_move_when_one_is_free_and_else_keeps_the_vm_on_its_standby()
    {
        var result = Run(Hosts(Platform.Kvm, 3, 1), 10,
        [
            Vm("a", 0, null, host: "host-001", changes: [VmChange.Migrate(H(1), "host-002")]),
            Vm("b", 0, 2, host: "host-002"),
            Vm("c", 0, null, host: "host-003", changes: [VmChange.Migrate(H(3), "host-002")]),
        ]);
        var d = result.Disruptions;
        // a found no VF on host-002 (b held it) and was not failed for it; c, later, found the one b left
        Assert.Equal((2L, 2L, 1L, 0L), (d.Migrated, d.VnicsOnVfBeforeMigration, d.VnicsOnVfAfterMigration, result.FailedStarts));
        Assert.Equal(0, result.Nics[1].HandedOver); // KVM queues nobody
        Assert.Equal(1, result.Nics[1].HeldAtEnd);
    }

    [Fact]
    public void A_migration_to_a_host_without_room_or_of_another_platform_is_refused()
    {
        var topology = Hosts(Platform.HyperV, 2, 4, cores: 1);
        var result = Run(topology, 10,
        [
            Vm("a", 0, null, host: "host-001", changes: [VmChange.Migrate(H(1), "host-002")]),
            Vm("b", 0, null, host: "host-002"),
        ]);
        Assert.Equal((1L, 0L, 1L), (result.Disruptions.MigrationsAsked, result.Disruptions.Migrated, result.Disruptions.MigrationsRefusedForRoom));
    }

    // ---------------- traffic ----------------

    [Fact]
    public void A_traffic_change_is_integrated_from_its_moment()
    {
        var result = Run(Hosts(Platform.HyperV, 1, 4), 2, [Vm("a", 0, null, gbps: 1, changes: [VmChange.Demand(H(1), 3)])]);
        Assert.Equal(2, result.Throughput.OfferedGbps, 9);
        Assert.Equal(1, result.Disruptions.DemandChanges);
    }

    // ---------------- hosts failing ----------------

    [Fact]
    public void Hyperv_restarts_a_failed_hosts_vms_on_another_host_of_the_cluster_with_vfs()
    {
        var result = Run(Hosts(Platform.HyperV, 2, 4), 10,
            [Vm("a", 0, null, host: "host-001"), Vm("b", 0, null, host: "host-001")], Outage(OutageKind.Host, "host-001", 1, 2));
        var d = result.Disruptions;
        Assert.Equal((1L, 2L, 2L, 0L, 0L), (d.HostFailures, d.VmsInterrupted, d.RestartedElsewhere, d.RestartedAtRepair, d.NotRestarted));
        Assert.Equal(0, d.VmHoursDown);
        Assert.Equal((0, 2), (result.Nics[0].HeldAtEnd, result.Nics[1].HeldAtEnd));
        Assert.Equal((1L, 2.0), (result.Hosts[0].Failures, result.Hosts[0].HoursDown));
    }

    [Fact]
    public void Vsphere_ha_leaves_sriov_vms_for_the_repair_and_restarts_the_others_elsewhere()
    {
        var result = Run(Hosts(Platform.VSphere, 2, 4), 10,
            [Vm("sriov", 0, null, host: "host-001"), Vm("plain", 0, null, wantsVf: false, host: "host-001")], Outage(OutageKind.Host, "host-001", 1, 2));
        var d = result.Disruptions;
        Assert.Equal((2L, 1L, 1L, 0L), (d.VmsInterrupted, d.RestartedElsewhere, d.RestartedAtRepair, d.NotRestarted));
        Assert.Equal(2, d.VmHoursDown, 9);
        Assert.Equal(1, result.Nics[0].HeldAtEnd); // back on its own host, with a VF
    }

    [Fact]
    public void Without_restarts_elsewhere_vms_wait_for_their_host_and_one_leaving_meanwhile_is_not_restarted()
    {
        var result = Run(Hosts(Platform.Kvm, 2, 4), 10,
            [Vm("a", 0, null, host: "host-001"), Vm("b", 0, 2, host: "host-001")], Outage(OutageKind.Host, "host-001", 1, 3, restartElsewhere: false));
        var d = result.Disruptions;
        Assert.Equal((2L, 0L, 1L, 1L), (d.VmsInterrupted, d.RestartedElsewhere, d.RestartedAtRepair, d.NotRestarted));
        Assert.Equal(3 + 1, d.VmHoursDown, 9); // a down 1-4 h, b down 1-2 h (it left)
    }

    [Fact]
    public void A_failed_host_takes_no_new_vm_and_overlapping_outages_keep_it_down_until_the_last_ends()
    {
        var failures = new FailureOptions
        {
            Outages =
            [
                new Outage(OutageKind.Host, "host-001", H(1), SimDuration.FromHours(2)),
                new Outage(OutageKind.Host, "host-001", H(2), SimDuration.FromHours(3)),
            ],
        };
        var result = Run(Hosts(Platform.HyperV, 2, 4), 10, [Vm("x", 4, null), Vm("y", 6, null)], failures);
        Assert.Equal(1, result.Disruptions.HostFailures);
        Assert.Equal(4, result.Hosts[0].HoursDown, 9);
        // first fit: x arrived while host-001 was down (host-002), y after its repair (host-001)
        Assert.Equal((1L, 1L), (result.Hosts[0].VmsPlaced, result.Hosts[1].VmsPlaced));
    }

    // ---------------- maintenance ----------------

    private static MaintenanceWindow Window(string host, double from, double hours) => new(host, H(from), SimDuration.FromHours(hours));

    [Fact]
    public void Maintenance_on_vsphere_moves_the_plain_vms_and_shuts_the_sriov_ones_down_until_it_ends()
    {
        var result = Run(Hosts(Platform.VSphere, 2, 4), 10,
            [Vm("sriov", 0, null, host: "host-001"), Vm("plain", 0, null, wantsVf: false, host: "host-001"), Vm("late", 2, null, wantsVf: false)],
            maintenance: [Window("host-001", 1, 3)]);
        var d = result.Disruptions;
        Assert.Equal((1L, 1L, 1L, 1L), (d.MaintenanceWindows, d.VmsMovedForMaintenance, d.VmsShutDownForMaintenance, d.RestartedAfterMaintenance));
        Assert.Equal(3, d.VmHoursDown, 9);
        Assert.Equal(3, result.Hosts[0].HoursInMaintenance, 9);
        Assert.Equal(0, d.HostFailures);
        // placements: host-001 the two arrivals and the SR-IOV VM's restart; host-002 the moved VM and "late", which
        // arrived during the window (first fit skipped the host in maintenance)
        Assert.Equal((3L, 2L), (result.Hosts[0].VmsPlaced, result.Hosts[1].VmsPlaced));
        Assert.Equal(1, result.Nics[0].HeldAtEnd); // the SR-IOV VM, back with its VF
    }

    [Fact]
    public void Maintenance_moves_hyperv_vms_with_a_vf_where_one_is_free_and_shuts_down_what_finds_no_room()
    {
        // host-002 has room for one VM (one core) and one free VF
        var topology = Hosts(Platform.HyperV, 2, 1, cores: 1);
        var result = Run(topology, 10, [Vm("a", 0, null, host: "host-001"), Vm("b", 0.5, null, wantsVf: false, host: "host-001")],
            maintenance: [Window("host-001", 1, 2)]);
        var d = result.Disruptions;
        // host-001 has one core too, so b is pinned beyond room; a (oldest) moves with its VF, b finds no room and waits
        Assert.Equal((1L, 1L, 1L, 1L), (d.VmsMovedForMaintenance, d.VmsShutDownForMaintenance, d.VnicsOnVfBeforeMigration, d.VnicsOnVfAfterMigration));
        Assert.Equal(1, d.RestartedAfterMaintenance);
        Assert.Equal(2, d.VmHoursDown, 9);
    }

    [Fact]
    public void A_rolling_maintenance_of_a_cluster_loses_no_vm_and_every_host_is_drained_in_turn()
    {
        var windows = Enumerable.Range(1, 4).Select(i => Window($"host-{i:000}", 10 + (5 * i), 4)).ToList();
        var workload = Poisson(31, 0, 4, 20, 100, vnics: 1, randomWeights: true, sriovShare: 0.7).Select(v => v).ToList();
        var result = Run(Hosts(Platform.Kvm, 4, 16), 100, workload, maintenance: windows);
        var d = result.Disruptions;
        Assert.Equal(4, d.MaintenanceWindows);
        Assert.True(d.VmsMovedForMaintenance > 5, $"{d}");
        Assert.Equal(0, d.VmsShutDownForMaintenance + d.NotRestarted);
        Assert.All(result.Hosts, h => Assert.Equal(4, h.HoursInMaintenance, 9));
    }

    // ---------------- PFs failing ----------------

    [Fact]
    public void Hyperv_vms_lose_their_vfs_to_a_pf_failure_and_get_them_back_at_its_repair()
    {
        var result = Run(Hosts(Platform.HyperV, 1, 2), 10, [Vm("a", 0, null), Vm("b", 0, null), Vm("c", 1.5, null)],
            Outage(OutageKind.Nic, "host-001/0000:3b:00.0", 1, 1));
        var nic = result.Nics.Single();
        Assert.Equal((1L, 2L, 1.0), (nic.Failures, nic.RevokedByFailure, nic.HoursFailed));
        // at the repair a and b (running longest) get the two VFs; c, which started during the failure, waits
        Assert.Equal(2, nic.HeldAtEnd);
        Assert.Equal(4, nic.Granted);
        Assert.Equal(2, result.Disruptions.VfsRevokedByNicFailures);
    }

    [Fact]
    public void On_vsphere_a_pf_failure_fails_power_ons_and_lost_vfs_come_back_only_with_a_restart()
    {
        var result = Run(Hosts(Platform.VSphere, 1, 2), 10,
            [Vm("a", 0, null, changes: [VmChange.Stop(H(5)), VmChange.Start(H(6))]), Vm("b", 1.5, null)],
            Outage(OutageKind.Nic, "host-001/0000:3b:00.0", 1, 1));
        var nic = result.Nics.Single();
        Assert.Equal(1, result.FailedStarts); // b, while the PF was down: NicFailed
        Assert.Equal(1, nic.RevokedByFailure);
        Assert.Equal(1, nic.HeldAtEnd); // a again, after its restart at 6 h
        Assert.Equal(2, nic.Granted);
    }

    // ---------------- random failures ----------------

    [Fact]
    public void Random_failures_follow_their_mean_times_and_a_seed_repeats_them()
    {
        // 50 hosts up 100 h on average, down 10 h: about horizon / 110 h failures each, down a tenth... of the time
        var failures = new FailureOptions { HostMtbf = SimDuration.FromHours(100), HostMttr = SimDuration.FromHours(10) };
        const double hours = 20_000;
        RunResult Once(ulong seed) => new SimulationModel(Options(Hosts(Platform.Kvm, 50, 4), hours) with { Failures = failures }).Run([], seed);
        var result = Once(3);
        var expected = 50 * hours / 110;
        Assert.InRange(result.Disruptions.HostFailures, expected * 0.95, expected * 1.05);
        var downShare = result.Hosts.Sum(h => h.HoursDown) / (50 * hours);
        Assert.InRange(downShare, 10.0 / 110 - 0.01, 10.0 / 110 + 0.01);
        Assert.Equal(JsonSerializer.Serialize(result), JsonSerializer.Serialize(Once(3)));
        Assert.NotEqual(result.Disruptions.HostFailures, Once(4).Disruptions.HostFailures);
    }

    // ---------------- clusters apart ----------------

    /// <summary>Three clusters of four hosts, one platform each.</summary>
    private static Topology ThreeClusters(int vfs = 3)
    {
        var platforms = new[] { Platform.HyperV, Platform.VSphere, Platform.Kvm };
        var hosts = new List<HostSpec>();
        var nics = new List<NicSpec>();
        var switches = new List<SwitchSpec>();
        for (var c = 0; c < 3; c++)
        {
            for (var i = 0; i < 4; i++)
            {
                var id = new HostId($"c{c}-h{i}");
                var nic = NicId.Of(id, "0000:3b:00.0");
                var os = platforms[c] switch { Platform.HyperV => "Windows Server 2022", Platform.VSphere => "ESXi 8.0u3", _ => "libvirt 9.0" };
                hosts.Add(new HostSpec(id, platforms[c], os, 16, 64L * 1024, $"cluster-{c}"));
                nics.Add(new NicSpec(nic, id, "0000:3b:00.0", "Intel E810", NicVendor.Intel, 25_000, 0, 64, true, vfs));
                switches.Add(new SwitchSpec(new SwitchId($"{id}/ext"), id, "ext", SwitchKind.External, nic, true));
            }
        }
        return new Topology(hosts.ToValueList(), nics.ToValueList(), switches.ToValueList(), [], [], []);
    }

    /// <summary>A workload whose VMs each name a cluster, with power cycles, moves and traffic changes drawn at random.</summary>
    private static SimVm[] ClusteredWorkload(ulong seed, double hours)
    {
        var random = Pcg32.ForReplication(seed, 0, 11);
        return [.. Poisson(seed, 0, 30, 4, hours, vnics: 2, randomWeights: true, sriovShare: 0.8).Select(v =>
        {
            var changes = new List<VmChange>();
            var at = v.Arrival.TotalHours;
            var end = v.Departure?.TotalHours ?? hours;
            while ((at += Exponential.Sample(random, 1.0)) < end)
            {
                changes.Add(random.NextInt(4) switch
                {
                    0 => VmChange.Stop(H(at)),
                    1 => VmChange.Start(H(at)),
                    2 => VmChange.Migrate(H(at)),
                    _ => VmChange.Demand(H(at), Exponential.Sample(random, 1.0)),
                });
            }
            return v with { Cluster = $"cluster-{random.NextInt(3)}", Changes = [.. changes] };
        })];
    }

    [Fact]
    public void Clusters_run_apart_give_the_same_result_as_one_run_in_time_order_bit_for_bit()
    {
        const double hours = 400;
        var workload = ClusteredWorkload(21, hours);
        var failures = new FailureOptions
        {
            HostMtbf = SimDuration.FromHours(60),
            HostMttr = SimDuration.FromHours(3),
            NicMtbf = SimDuration.FromHours(80),
            NicMttr = SimDuration.FromHours(2),
            Outages = [new Outage(OutageKind.Host, "c1-h0", H(10), SimDuration.FromHours(20)), new Outage(OutageKind.Nic, "c0-h1/0000:3b:00.0", H(30), SimDuration.FromHours(5))],
        };
        var maintenance = new[] { new MaintenanceWindow("c1-h2", H(50), SimDuration.FromHours(30)), new MaintenanceWindow("c0-h3", H(100), SimDuration.FromHours(12)), new MaintenanceWindow("c2-h0", H(150), SimDuration.FromHours(20)) };
        string Once(int parallelism)
        {
            var model = new SimulationModel(Options(ThreeClusters(), hours, PlacementPolicy.SriovAware) with
            {
                Failures = failures, Maintenance = maintenance, ClusterParallelism = parallelism,
            });
            var result = model.Run(workload, 21, 0);
            Assert.Empty(model.Invariants());
            return JsonSerializer.Serialize(result);
        }
        var inOrder = Once(-1);
        var run = JsonSerializer.Deserialize<RunResult>(inOrder)!;
        // the run exercised every kind of event
        var d = run.Disruptions;
        Assert.True(d.HostFailures > 3 && d.NicFailures > 3 && d.RestartedElsewhere > 0 && d.RestartedAtRepair > 0 && d.Migrated > 0
            && d.MigrationsRefusedForSriov > 0 && d.Stops > 0 && d.Starts > 0 && d.DemandChanges > 0 && d.VfsRevokedByNicFailures > 0
            && d.MaintenanceWindows == 3 && d.VmsMovedForMaintenance > 0 && d.VmsShutDownForMaintenance > 0, inOrder);
        Assert.Equal(inOrder, Once(1));
        Assert.Equal(inOrder, Once(2));
        Assert.Equal(inOrder, Once(3));
    }

    [Fact]
    public void A_workload_with_a_vm_free_to_go_anywhere_runs_in_time_order()
    {
        var workload = ClusteredWorkload(5, 100);
        workload[^1] = workload[^1] with { Cluster = null };
        var options = Options(ThreeClusters(), 100, PlacementPolicy.SriovAware);
        var apart = new SimulationModel(options with { ClusterParallelism = 1 }).Run(workload, 5);
        var inOrder = new SimulationModel(options).Run(workload, 5);
        Assert.Equal(JsonSerializer.Serialize(inOrder), JsonSerializer.Serialize(apart));
    }

    // ---------------- bad input ----------------

    [Fact]
    public void Changes_out_of_order_or_before_the_arrival_and_unknown_targets_are_named()
    {
        var topology = Hosts(Platform.HyperV, 1, 2);
        var early = Assert.Throws<ArgumentException>(() => Run(topology, 10, [Vm("vm-7", 2, null, changes: [VmChange.Stop(H(1))])]));
        Assert.Contains("vm-7", early.Message);
        Assert.Contains("before its arrival", early.Message);
        var unordered = Assert.Throws<ArgumentException>(() => Run(topology, 10, [Vm("vm-8", 0, null, changes: [VmChange.Stop(H(3)), VmChange.Start(H(2))])]));
        Assert.Contains("vm-8", unordered.Message);
        Assert.Contains("not in time order", unordered.Message);
        var nowhere = Assert.Throws<ArgumentException>(() => Run(topology, 10, [Vm("vm-9", 0, null, changes: [VmChange.Migrate(H(1), "host-404")])]));
        Assert.Contains("host-404", nowhere.Message);
        var outage = Assert.Throws<ArgumentException>(() => new SimulationModel(Options(topology, 10) with { Failures = Outage(OutageKind.Host, "host-999", 1, 1) }));
        Assert.Contains("host-999", outage.Message);
        var length = Assert.Throws<ArgumentException>(() => new SimulationModel(Options(topology, 10) with { Failures = Outage(OutageKind.Nic, "host-001/0000:3b:00.0", 1, 0) }));
        Assert.Contains("duration must be positive", length.Message);
        var maintenance = Assert.Throws<ArgumentException>(() => new SimulationModel(Options(topology, 10) with { Maintenance = [Window("host-777", 1, 1)] }));
        Assert.Contains("host-777", maintenance.Message);
    }
}
