using System.Text.Json;
using Twin.Events.Platforms;
using Twin.Simulation.Model;
using static Twin.Simulation.Tests.Model.SimTopologies;

namespace Twin.Simulation.Tests.Model;

public sealed class SimulationInvariantTests
{
    [Theory]
    [InlineData(Platform.HyperV)]
    [InlineData(Platform.VSphere)]
    [InlineData(Platform.Kvm)]
    public void Every_vf_acquired_is_released_once_and_none_is_held_twice(Platform platform)
    {
        var model = new SimulationModel(Options(Hosts(platform, 3, 6), 2_000, PlacementPolicy.Spread));
        var result = model.Run(Poisson(9, 0, 20, 1, 2_000, vnics: 2, randomWeights: true));
        Assert.Empty(model.Invariants());
        foreach (var nic in result.Nics)
        {
            Assert.Equal(nic.Granted + nic.HandedOver, nic.Released + nic.Preempted + nic.HeldAtEnd);
            Assert.True(nic.PeakAllocated <= nic.Configured);
        }
    }

    [Theory]
    [InlineData(Platform.HyperV)]
    [InlineData(Platform.VSphere)]
    [InlineData(Platform.Kvm)]
    public void The_event_loop_allocates_nothing_per_event(Platform platform)
    {
        // the same datacenter and arrival rate over 300 and 600 hours: twice the events, as many VMs alive at a time,
        // pools running out (8 VFs per PF, 3 vNICs per VM) so refusals, waits and hand-overs happen too
        (long Bytes, long Events) Measure(double hours)
        {
            var workload = Poisson(5, 0, 40, 2, hours, vnics: 3, randomWeights: true, sriovShare: 0.7).ToArray();
            var options = Options(Hosts(platform, 8, 8), hours, PlacementPolicy.SriovAware) with { ExpectedLiveVms = 2_000 };
            new SimulationModel(options).Run(workload.AsSpan(0, 2_000).ToArray()); // warm-up: type initialisers, first calls
            var model = new SimulationModel(options);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var result = model.Run(workload);
            return (GC.GetAllocatedBytesForCurrentThread() - before, result.Events);
        }

        var shorter = Measure(300);
        var longer = Measure(600);
        var extraEvents = longer.Events - shorter.Events;
        Assert.True(extraEvents > 10_000, $"only {extraEvents} more events");
        // what a run allocates is its results (the same size for both) and pools sized once: nothing that grows with
        // the events (one object per event would be 24 bytes or more each)
        Assert.True(longer.Bytes - shorter.Bytes < extraEvents,
            $"{longer.Bytes - shorter.Bytes} more bytes for {extraEvents} more events ({shorter.Bytes} bytes for {shorter.Events} events, {longer.Bytes} for {longer.Events})");
    }

    [Fact]
    public void The_same_seed_gives_the_same_result_byte_for_byte_and_another_seed_does_not()
    {
        string Run(ulong seed) => JsonSerializer.Serialize(new SimulationModel(Options(Hosts(Platform.HyperV, 4, 4), 500, PlacementPolicy.SriovAware) with { PerVmResults = true })
            .Run(Poisson(seed, 0, 30, 2, 500, randomWeights: true, sriovShare: 0.7), seed));
        Assert.Equal(Run(42), Run(42));
        Assert.NotEqual(Run(42), Run(43));
    }

    [Fact]
    public void Replications_run_in_parallel_and_each_reproduces_alone()
    {
        var options = Options(Hosts(Platform.Kvm, 2, 4), 300);
        var all = SimulationRunner.Run(options, r => Poisson(7, r, 10, 1, 300), seed: 7, replications: 6, ct: TestContext.Current.CancellationToken);
        var alone = new SimulationModel(options).Run(Poisson(7, 3, 10, 1, 300), 7, 3);
        Assert.Equal(JsonSerializer.Serialize(alone), JsonSerializer.Serialize(all.Runs[3]));
        Assert.Equal(6, all.Replications);
        Assert.True(all.FailedStarts.P95 >= all.FailedStarts.P50);
    }

    [Fact]
    public void The_gain_of_sriov_is_measured_against_all_synthetic_for_the_same_workload()
    {
        // 10 GbE-ish demand: 3 Gbit/s per vNIC, well above one synthetic core's 4 Gbit/s only when several share it
        var topology = Hosts(Platform.HyperV, 1, 32);
        var result = new SimulationModel(Options(topology, 200)).Run(Poisson(1, 0, 5, 4, 200));
        var t = result.Throughput;
        Assert.True(t.DeliveredGbps >= t.AllSyntheticGbps - 1e-9, $"delivered {t.DeliveredGbps} < all-synthetic {t.AllSyntheticGbps}");
        Assert.True(t.DeliveredGbps <= t.AllVfGbps + 1e-9);
        Assert.True(t.CpuCoresSaved >= 0);
        Assert.True(t.MeanLatencyUs < t.AllSyntheticMeanLatencyUs);
    }

    [Fact]
    public void A_pool_that_never_fills_never_exhausts_and_one_that_fills_reports_when()
    {
        var roomy = new SimulationModel(Options(Hosts(Platform.Kvm, 1, 64), 100)).Run(Poisson(2, 0, 1, 1, 100));
        Assert.Null(roomy.Nics[0].FirstExhaustionHours);
        Assert.Equal(0, roomy.Nics[0].HoursExhausted);
        var tight = new SimulationModel(Options(Hosts(Platform.Kvm, 1, 2), 100)).Run(Poisson(2, 0, 10, 1, 100));
        Assert.NotNull(tight.Nics[0].FirstExhaustionHours);
        Assert.InRange(tight.Nics[0].HoursExhausted, 0.001, 100);
        Assert.Equal(tight.Nics[0].FirstExhaustionHours, tight.Clusters[0].FirstExhaustionHours);
    }
}
