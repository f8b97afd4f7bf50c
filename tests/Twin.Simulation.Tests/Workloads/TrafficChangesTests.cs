using System.Globalization;
using Twin.Events.Platforms;
using Twin.Simulation.Engine;
using Twin.Simulation.Model;
using Twin.Simulation.Workloads;
using static Twin.Simulation.Tests.Model.SimTopologies;

namespace Twin.Simulation.Tests.Workloads;

/// <summary>A real trace's network series drives a VM's traffic in the run: one change per distinct level.</summary>
public sealed class TrafficChangesTests
{
    private const string Sample = "bitbrains-opendc/bitbrains-one-vm-fastStorage-format.csv";

    [Fact]
    public void A_bitbrains_vms_measured_traffic_is_what_the_run_integrates()
    {
        using var text = SampleTraces.OpenText(Sample);
        var segments = BitbrainsTrace.ReadSegments(text, Sample, "1",
            new BitbrainsTraceOptions { Metrics = [UtilizationMetric.NetworkReceivedKBps, UtilizationMetric.NetworkTransmittedKBps] }).ToList();
        var template = new SimVm("bitbrains-1", SimTime.Zero, null, 1, 2, 1, 100, 0, 0);
        var vm = TrafficChanges.FollowingNetwork(template, segments)!.Value;

        // independently of the readers: every row's received + transmitted KB/s holds until the next row (at most an
        // hour, the reader's gap), the last one for the 300 s interval
        var rows = File.ReadLines(SampleTraces.PathOf(Sample)).Skip(1).Where(l => l.Trim().Length > 0)
            .Select(l => l.Split(';').Select(f => f.Trim()).ToArray())
            .Select(f => (T: long.Parse(f[0], CultureInfo.InvariantCulture), KBps: double.Parse(f[9], CultureInfo.InvariantCulture) + double.Parse(f[10], CultureInfo.InvariantCulture)))
            .ToList();
        var expectedGbpsSeconds = 0.0;
        for (var i = 0; i < rows.Count; i++)
        {
            var hold = i + 1 < rows.Count ? Math.Min(rows[i + 1].T - rows[i].T, 3600) : 300;
            expectedGbpsSeconds += rows[i].KBps * 8e-6 * hold;
        }
        var horizonSeconds = (rows[^1].T + 300 - rows[0].T);
        Assert.Equal(SimTime.Zero, vm.Arrival);
        Assert.Equal(SimTime.FromSeconds(horizonSeconds), vm.Departure);

        var result = new SimulationModel(Options(Hosts(Platform.HyperV, 1, 8), horizonSeconds / 3600.0)).Run([vm]);
        Assert.Equal(expectedGbpsSeconds, result.Throughput.OfferedGbps * horizonSeconds, expectedGbpsSeconds * 1e-9);
        // one event per distinct level, far fewer than the readings
        Assert.Equal(vm.Changes!.Length, result.Disruptions.DemandChanges);
        Assert.InRange(vm.Changes.Length, 100, rows.Count * 2 - 1);
        Assert.True(vm.Changes.Zip(vm.Changes.Skip(1)).All(p => p.First.At < p.Second.At && p.First.GbpsPerVnic != p.Second.GbpsPerVnic));
    }

    [Fact]
    public void Levels_add_the_two_directions_split_over_the_vnics_and_a_gap_has_no_traffic()
    {
        static UtilizationSegment S(UtilizationMetric m, double from, double to, double v) => new("x", m, SimTime.FromHours(from), SimTime.FromHours(to), v);
        var levels = TrafficChanges.NetworkLevels(
        [
            S(UtilizationMetric.NetworkReceivedKBps, 0, 2, 1000),
            S(UtilizationMetric.NetworkTransmittedKBps, 1, 2, 500),
            S(UtilizationMetric.CpuPercent, 0, 9, 50),
            S(UtilizationMetric.NetworkReceivedKBps, 3, 4, 250),
        ], vnics: 2);
        Assert.Equal(
        [
            (SimTime.FromHours(0), 1000 * 8e-6 / 2),
            (SimTime.FromHours(1), 1500 * 8e-6 / 2),
            (SimTime.FromHours(2), 0.0),
            (SimTime.FromHours(3), 250 * 8e-6 / 2),
            (SimTime.FromHours(4), 0.0),
        ], levels);
    }
}
