using Twin.Simulation.Engine;
using Twin.Simulation.Engine.Randomness;
using Twin.Simulation.Workloads;

namespace Twin.Simulation.Tests.Workloads;

public sealed class SyntheticWorkloadTests
{
    private static SyntheticWorkloadOptions Options(ulong seed = 42) => new()
    {
        Seed = seed,
        ArrivalsPerHour = 60,
        Horizon = SimDuration.FromHours(200),
        VnicCount = new WeightedChoice<int>([(1, 70), (2, 25), (4, 5)]),
        IovWeight = new WeightedChoice<int>([(0, 30), (50, 20), (100, 50)]),
        MeanGbitPerSecondPerVnic = Exponential.WithMean(2),
        MeanPacketBytes = new Constant<double>(1000),
    };

    [Fact]
    public void The_same_seed_generates_the_same_workload()
    {
        var first = SyntheticWorkload.Generate(Options()).ToList();
        var second = SyntheticWorkload.Generate(Options()).ToList();

        Assert.Equal(first, second);
        Assert.NotEmpty(first);
    }

    [Fact]
    public void Another_seed_or_replication_generates_a_different_workload()
    {
        var baseline = SyntheticWorkload.Generate(Options()).Take(20).Select(vm => vm.Lifecycle.Created).ToList();

        var otherSeed = SyntheticWorkload.Generate(Options(seed: 43)).Take(20).Select(vm => vm.Lifecycle.Created).ToList();
        var otherReplication = SyntheticWorkload.Generate(Options() with { Replication = 1 }).Take(20).Select(vm => vm.Lifecycle.Created).ToList();

        Assert.NotEqual(baseline, otherSeed);
        Assert.NotEqual(baseline, otherReplication);
    }

    [Fact]
    public void Arrivals_come_in_time_order_at_the_requested_rate()
    {
        var vms = SyntheticWorkload.Generate(Options()).ToList();

        Assert.Equal(12_000, SyntheticWorkload.ExpectedArrivals(Options()));
        // Poisson: standard deviation sqrt(12,000) = 110; five of them
        Assert.InRange(vms.Count, 12_000 - 550, 12_000 + 550);
        Assert.All(vms.Zip(vms.Skip(1)), pair => Assert.True(pair.First.Lifecycle.Created <= pair.Second.Lifecycle.Created));
        Assert.All(vms, vm => Assert.True(vm.Lifecycle.Created < SimTime.Zero + SimDuration.FromHours(200)));
    }

    [Fact]
    public void Growth_ramps_the_arrival_rate_linearly_over_the_horizon()
    {
        var options = Options() with { GrowthPercent = 100 };

        var vms = SyntheticWorkload.Generate(options).ToList();
        var firstHalf = vms.Count(vm => vm.Lifecycle.Created.TotalHours < 100);
        var secondHalf = vms.Count - firstHalf;

        // rate 60/h rising to 120/h: 7,500 expected in the first 100 h and 10,500 in the second (sd 87 and 102)
        Assert.Equal(18_000, SyntheticWorkload.ExpectedArrivals(options));
        Assert.InRange(firstHalf, 7_500 - 450, 7_500 + 450);
        Assert.InRange(secondHalf, 10_500 - 520, 10_500 + 520);
    }

    [Fact]
    public void Attributes_follow_their_distributions()
    {
        var vms = SyntheticWorkload.Generate(Options()).ToList();
        double Fraction(Func<SyntheticVm, bool> predicate) => vms.Count(predicate) / (double)vms.Count;

        Assert.InRange(Fraction(vm => vm.IovWeight == 0), 0.28, 0.32);
        Assert.InRange(Fraction(vm => vm.VnicCount == 2), 0.23, 0.27);
        Assert.InRange(vms.Average(vm => vm.MeanGbitPerSecondPerVnic), 1.9, 2.1);
        Assert.InRange(vms.Average(vm => vm.Lifetime.TotalHours), 23, 25);
        Assert.All(vms, vm => Assert.Equal(vm.MeanGbitPerSecondPerVnic * 1e9 / 8000, vm.MeanPacketsPerSecondPerVnic, 6));
    }

    [Fact]
    public void VMs_outliving_the_horizon_have_no_deletion_time_but_keep_their_lifetime()
    {
        var horizon = SimTime.Zero + SimDuration.FromHours(200);

        var vms = SyntheticWorkload.Generate(Options()).ToList();

        Assert.All(vms, vm => Assert.Equal(vm.Lifecycle.Created + vm.Lifetime >= horizon, vm.Lifecycle.Deleted is null));
        Assert.All(vms.Where(vm => vm.Lifecycle.Deleted is not null), vm => Assert.Equal(vm.Lifecycle.Created + vm.Lifetime, vm.Lifecycle.Deleted));
        Assert.Contains(vms, vm => vm.Lifecycle.Deleted is null);
    }

    [Fact]
    public void Can_draw_lifetimes_and_sizes_from_the_Azure_2019_tables()
    {
        using var lifetimeText = SampleTraces.OpenText("azure-v2-2019-distributions/lifetime.txt");
        using var coresText = SampleTraces.OpenText("azure-v2-2019-distributions/cores.txt");
        var options = Options() with
        {
            ArrivalsPerHour = 200,
            LifetimeHours = Azure2019Distributions.LifetimeHours(DistributionTable.Read(lifetimeText, "lifetime.txt")),
            Cores = Azure2019Distributions.Cores(DistributionTable.Read(coresText, "cores.txt")),
        };

        var vms = SyntheticWorkload.Generate(options).ToList();

        Assert.InRange(vms.Count(vm => vm.Lifetime < SimDuration.FromHours(1)) / (double)vms.Count, 0.626, 0.646);
        Assert.InRange(vms.Count(vm => vm.Lifecycle.Cores == 2) / (double)vms.Count, 0.572, 0.592);
    }

    [Fact]
    public void An_IovWeight_outside_0_to_100_is_refused()
    {
        var options = Options() with { IovWeight = new Constant<int>(101) };

        Assert.Throws<InvalidOperationException>(() => SyntheticWorkload.Generate(options).First());
    }
}
