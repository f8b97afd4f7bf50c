using Twin.Events.Common;
using Twin.Events.Platforms;
using Twin.Events.Sagas;
using Twin.Events.Vms;
using Twin.Simulation.InMemory;
using Twin.Simulation.Model;
using static Twin.Simulation.Tests.Model.SimTopologies;

namespace Twin.Simulation.Tests.Model;

/// <summary>The simulator's fast path against the sagas the live twin runs: the same workload through both gives the
/// same VF decisions (who got a VF, who fell back, whose start failed, who holds what at the end).</summary>
public sealed class DifferentialTests
{
    [Theory]
    [InlineData(Platform.HyperV, 1)]
    [InlineData(Platform.HyperV, 2)]
    [InlineData(Platform.VSphere, 3)]
    [InlineData(Platform.Kvm, 4)]
    public void The_fast_path_decides_exactly_like_the_sagas(Platform platform, ulong seed)
    {
        const double hours = 60;
        var topology = Hosts(platform, 1, 5);
        var workload = Poisson(seed, 0, 12, 1, hours, vnics: 2, randomWeights: true, sriovShare: 0.8).ToList();
        var sim = new SimulationModel(Options(topology, hours) with { PerVmResults = true });
        var fast = sim.Run(workload);

        var twin = new InMemoryTwin();
        var epoch = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        twin.Apply(topology, new OperationId("setup"), epoch);
        var host = topology.Hosts[0].Id;
        var sw = topology.Switches[0].Id;
        var events = workload.SelectMany(v => new[] { (At: v.Arrival.Microseconds, Order: 1, Vm: v), (At: v.Departure?.Microseconds ?? long.MaxValue, Order: 0, Vm: v) })
            .Where(e => e.At <= (long)(hours * 3.6e9)).OrderBy(e => e.At).ThenBy(e => e.Order).ThenBy(e => e.Vm.Arrival.Microseconds).ToList();
        var failed = 0;
        foreach (var (at, order, v) in events)
        {
            var now = epoch.AddTicks(at * 10);
            var id = new VmId(v.Id);
            if (order == 1)
            {
                twin.Execute(new VmCommand.DefineVm(id, host, platform, GuestOs.Parse("Windows Server 2022"), v.Cores, 1024,
                    Enumerable.Range(0, v.Vnics).Select(k => new VnicSpec($"net{k}", sw, v.IovWeight)).ToValueList(), now), new OperationId($"def-{v.Id}"));
                if (!twin.Run(new OperationId($"start-{v.Id}"), now, p => VmSagas.Start(p, id)).Succeeded) failed++;
            }
            else if (twin.Vm(id) is { Status: VmStatus.Running })
                twin.Run(new OperationId($"stop-{v.Id}"), now, p => VmSagas.Stop(p, id));
        }

        Assert.Equal(failed, fast.FailedStarts);
        var nic = twin.Nics.Single();
        var simNic = fast.Nics.Single();
        Assert.Equal(nic.Allocated, simNic.HeldAtEnd);
        var sagaHolders = nic.Holders.Select(h => h.Holder!.Value.ToString()).OrderBy(x => x, StringComparer.Ordinal).ToList();
        var simOnVf = fast.Vms!.Where(v => v.Started && twin.Vm(new VmId(v.Id)) is { Status: VmStatus.Running }).ToList();
        Assert.Equal(sagaHolders.Select(h => h.Split('/')[0]).Distinct().Count(), nic.Holders.Select(h => h.Holder!.Value.Vm).Distinct().Count());
        // every VM running at the end: the same number of vNICs on a VF in both
        foreach (var vm in twin.Vms.Where(v => v.Status == VmStatus.Running))
        {
            var viaSagas = vm.Vnics.Count(x => x.Datapath.Kind == DatapathKind.Vf);
            var viaFastPath = nic.Holders.Count(h => h.Holder!.Value.Vm.Value == vm.Id);
            Assert.Equal(viaSagas, viaFastPath);
        }
        Assert.True(simOnVf.Count > 0);
        Assert.Equal(twin.Log.Count(e => e.Event is Twin.Events.Nics.NicEvent.VfAllocated { Cause: Twin.Events.Nics.VfAllocationCause.HandedOverOnRelease }), simNic.HandedOver);
    }

    [Theory]
    [InlineData(Platform.HyperV, 5)]
    [InlineData(Platform.VSphere, 6)]
    [InlineData(Platform.Kvm, 7)]
    public void Power_cycles_decide_exactly_like_the_stop_and_start_sagas(Platform platform, ulong seed)
    {
        // VMs stop and start again during their life: the fast path and the sagas agree on every failed start, every
        // hand-over and who holds what at the end
        const double hours = 80;
        var topology = Hosts(platform, 1, 4);
        var random = Twin.Simulation.Engine.Randomness.Pcg32.ForReplication(seed, 0, 99);
        var workload = Poisson(seed, 0, 10, 1.5, hours, vnics: 2, randomWeights: true, sriovShare: 0.8).Select(v =>
        {
            var changes = new List<VmChange>();
            var at = v.Arrival.TotalHours;
            var end = v.Departure?.TotalHours ?? hours;
            var running = true;
            while ((at += 0.05 + (random.NextDouble() * 0.8)) < end)
            {
                changes.Add(running ? VmChange.Stop(Twin.Simulation.Engine.SimTime.FromHours(at)) : VmChange.Start(Twin.Simulation.Engine.SimTime.FromHours(at)));
                running = !running;
            }
            return v with { Changes = [.. changes] };
        }).ToList();
        var fast = new SimulationModel(Options(topology, hours) with { PerVmResults = true }).Run(workload);

        var twin = new InMemoryTwin();
        var epoch = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        twin.Apply(topology, new OperationId("setup"), epoch);
        var host = topology.Hosts[0].Id;
        var sw = topology.Switches[0].Id;
        // (time, kind: 0 departure, 1 arrival, 2 stop, 3 start), departures before arrivals at the same instant
        var events = workload.SelectMany(v => new[] { (At: v.Arrival.Microseconds, Kind: 1, Vm: v), (At: v.Departure?.Microseconds ?? long.MaxValue, Kind: 0, Vm: v) }
                .Concat(v.Changes!.Select(c => (At: c.At.Microseconds, Kind: c.Kind == VmChangeKind.Stop ? 2 : 3, Vm: v))))
            .Where(e => e.At <= (long)(hours * 3.6e9)).OrderBy(e => e.At).ThenBy(e => e.Kind == 1 ? 1 : 0).ToList();
        var failed = 0;
        var n = 0;
        foreach (var (at, kind, v) in events)
        {
            var now = epoch.AddTicks(at * 10);
            var id = new VmId(v.Id);
            var op = new OperationId($"op-{n++}");
            switch (kind)
            {
                case 1:
                    twin.Execute(new VmCommand.DefineVm(id, host, platform, GuestOs.Parse("Windows Server 2022"), v.Cores, 1024,
                        Enumerable.Range(0, v.Vnics).Select(k => new VnicSpec($"net{k}", sw, v.IovWeight)).ToValueList(), now), new OperationId($"def-{v.Id}"));
                    if (!twin.Run(op, now, p => VmSagas.Start(p, id)).Succeeded) failed++;
                    break;
                case 3 when twin.Vm(id) is { Status: VmStatus.Off }:
                    if (!twin.Run(op, now, p => VmSagas.Start(p, id)).Succeeded) failed++;
                    break;
                case 0 or 2 when twin.Vm(id) is { Status: VmStatus.Running }:
                    twin.Run(op, now, p => VmSagas.Stop(p, id));
                    break;
            }
        }

        Assert.True(fast.Disruptions.Stops > 20 && fast.Disruptions.Starts > 10, $"{fast.Disruptions}");
        Assert.Equal(failed, fast.FailedStarts);
        var nic = twin.Nics.Single();
        var simNic = fast.Nics.Single();
        Assert.Equal(nic.Allocated, simNic.HeldAtEnd);
        Assert.Equal(twin.Log.Count(e => e.Event is Twin.Events.Nics.NicEvent.VfAllocated { Cause: Twin.Events.Nics.VfAllocationCause.HandedOverOnRelease }), simNic.HandedOver);
        Assert.Equal(twin.Log.Count(e => e.Event is Twin.Events.Nics.NicEvent.VfAllocated), simNic.Granted + simNic.HandedOver);
        foreach (var vm in twin.Vms.Where(v => v.Status == VmStatus.Running))
            Assert.Equal(vm.Vnics.Count(x => x.Datapath.Kind == DatapathKind.Vf), nic.Holders.Count(h => h.Holder!.Value.Vm.Value == vm.Id));
    }

    [Theory]
    [InlineData(Platform.HyperV, 8)]
    [InlineData(Platform.VSphere, 9)]
    [InlineData(Platform.Kvm, 10)]
    public void Live_migrations_decide_exactly_like_the_migration_saga(Platform platform, ulong seed)
    {
        // two hosts of a cluster, VMs moved to the other one now and then: the fast path and the migration saga agree on
        // every move refused (vSphere, SR-IOV), where each VM ends, its VFs there, and every hand-over
        const double hours = 80;
        var topology = Hosts(platform, 2, 3);
        var random = Twin.Simulation.Engine.Randomness.Pcg32.ForReplication(seed, 0, 98);
        var workload = Poisson(seed, 0, 10, 1.5, hours, vnics: 2, randomWeights: true, sriovShare: 0.6).Select(v =>
        {
            var changes = new List<VmChange>();
            var at = v.Arrival.TotalHours;
            var end = v.Departure?.TotalHours ?? hours;
            while ((at += 0.1 + random.NextDouble()) < end) changes.Add(VmChange.Migrate(Twin.Simulation.Engine.SimTime.FromHours(at)));
            return v with { Host = random.NextBool() ? "host-001" : "host-002", Changes = [.. changes] };
        }).ToList();
        var fast = new SimulationModel(Options(topology, hours) with { PerVmResults = true }).Run(workload);

        var twin = new InMemoryTwin();
        var epoch = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        twin.Apply(topology, new OperationId("setup"), epoch);
        var events = workload.SelectMany(v => new[] { (At: v.Arrival.Microseconds, Kind: 1, Vm: v), (At: v.Departure?.Microseconds ?? long.MaxValue, Kind: 0, Vm: v) }
                .Concat(v.Changes!.Select(c => (At: c.At.Microseconds, Kind: 2, Vm: v))))
            .Where(e => e.At <= (long)(hours * 3.6e9)).OrderBy(e => e.At).ThenBy(e => e.Kind == 1 ? 1 : 0).ToList();
        var (failed, moved, refused, n) = (0, 0, 0, 0);
        foreach (var (at, kind, v) in events)
        {
            var now = epoch.AddTicks(at * 10);
            var id = new VmId(v.Id);
            var op = new OperationId($"op-{n++}");
            var vm = twin.Vm(id);
            switch (kind)
            {
                case 1:
                    var host = topology.Hosts.Single(h => h.Id.Value == v.Host);
                    var sw = topology.Switches.Single(x => x.Host == host.Id).Id;
                    twin.Execute(new VmCommand.DefineVm(id, host.Id, platform, GuestOs.Parse("Windows Server 2022"), v.Cores, 1024,
                        Enumerable.Range(0, v.Vnics).Select(k => new VnicSpec($"net{k}", sw, v.IovWeight)).ToValueList(), now), new OperationId($"def-{v.Id}"));
                    if (!twin.Run(op, now, p => VmSagas.Start(p, id)).Succeeded) failed++;
                    break;
                case 2 when vm is { Status: VmStatus.Running }:
                    var to = topology.Hosts.Single(h => h.Id != vm.Host).Id;
                    if (twin.Run(op, now, p => MigrationSaga.Migrate(p, id, to)).Succeeded) moved++;
                    else refused++;
                    break;
                case 0 when vm is { Status: VmStatus.Running }:
                    twin.Run(op, now, p => VmSagas.Stop(p, id));
                    break;
            }
        }

        var d = fast.Disruptions;
        Assert.True(d.MigrationsAsked > 30, $"{d}");
        Assert.Equal(failed, fast.FailedStarts);
        Assert.Equal((moved, refused), ((int)d.Migrated, (int)(d.MigrationsRefusedForSriov + d.MigrationsRefusedForRoom)));
        if (platform == Platform.VSphere) Assert.True(refused > 0);
        else Assert.Equal(0, refused);
        foreach (var (nic, simNic) in twin.Nics.OrderBy(x => x.Id, StringComparer.Ordinal).Zip(fast.Nics))
        {
            Assert.Equal(nic.Allocated, simNic.HeldAtEnd);
            Assert.Equal(twin.Log.Count(e => e.Stream == nic.Id && e.Event is Twin.Events.Nics.NicEvent.VfAllocated { Cause: Twin.Events.Nics.VfAllocationCause.HandedOverOnRelease }), simNic.HandedOver);
        }
        foreach (var vm in twin.Vms.Where(v => v.Status == VmStatus.Running))
        {
            Assert.Equal(vm.Host.Value, fast.Vms!.Single(x => x.Id == vm.Id).Host);
            Assert.Equal(vm.Vnics.Count(x => x.Datapath.Kind == DatapathKind.Vf), twin.Nics.Sum(p => p.Holders.Count(h => h.Holder!.Value.Vm.Value == vm.Id)));
        }
    }
}
