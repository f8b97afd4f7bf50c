using Twin.Events.Platforms;
using Twin.Simulation.Model;
using static Twin.Simulation.Tests.Model.SimTopologies;

namespace Twin.Simulation.Tests.Model;

/// <summary>The model against queueing theory: a pool of c VFs that refuses when full, fed by Poisson arrivals with
/// exponential holding times, is the Erlang loss system M/M/c/c.</summary>
public sealed class ErlangValidationTests
{
    /// <summary>Erlang B: the probability that an arrival finds all c servers busy under offered load a (Erlangs).</summary>
    private static double ErlangB(int c, double a)
    {
        var b = 1.0;
        for (var k = 1; k <= c; k++) b = a * b / (k + (a * b));
        return b;
    }

    [Theory]
    [InlineData(8, 6.0, Platform.Kvm)]
    [InlineData(4, 4.0, Platform.VSphere)]
    [InlineData(16, 10.0, Platform.Kvm)]
    public void The_fraction_of_refused_starts_matches_erlang_b(int vfs, double load, Platform platform)
    {
        const double hours = 20_000, meanHolding = 1.0;
        var result = new SimulationModel(Options(Hosts(platform, 1, vfs), hours)).Run(Poisson(11, 0, load / meanHolding, meanHolding, hours));
        var refused = (double)result.FailedStarts / result.VmsArrived;
        var expected = ErlangB(vfs, load);
        // ~100k-200k arrivals: the estimate's standard error (with its autocorrelation) is a few 1e-3
        Assert.InRange(refused, expected - 0.01, expected + 0.01);
        Assert.True(result.VmsArrived > 50_000, $"{result.VmsArrived} arrivals");
    }

    [Fact]
    public void Littles_law_holds_for_the_mean_vfs_in_use()
    {
        const double hours = 20_000, meanHolding = 2.0, perHour = 3.0;
        const int vfs = 8;
        var result = new SimulationModel(Options(Hosts(Platform.Kvm, 1, vfs), hours)).Run(Poisson(5, 0, perHour, meanHolding, hours));
        var accepted = (result.VmsArrived - result.FailedStarts) / hours;
        var littles = accepted * meanHolding;
        var measured = result.Nics[0].MeanAllocated;
        Assert.InRange(measured, littles * 0.97, littles * 1.03);
        Assert.InRange(measured, 0, vfs);
    }

    [Fact]
    public void On_hyper_v_nobody_is_refused_and_the_vnics_that_found_no_vf_fall_back_to_synthetic()
    {
        const double hours = 5_000;
        var result = new SimulationModel(Options(Hosts(Platform.HyperV, 1, 8), hours)).Run(Poisson(3, 0, 6, 1, hours));
        Assert.Equal(0, result.FailedStarts);
        var nic = result.Nics[0];
        Assert.True(nic.FellBackToSynthetic > 0);
        Assert.True(nic.HandedOver > 0, "freed VFs go to waiting vNICs");
        Assert.Equal(nic.VfRequests, nic.Granted + nic.FellBackToSynthetic);
        Assert.True(result.Throughput.VnicHoursSyntheticWanted > 0);
    }
}
